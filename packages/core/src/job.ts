import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';
import { Plan, Review, Subtask } from './plan.ts';
import { ModelPrice, ModelTuning } from './model.ts';

export const ROLES = ['planner', 'coder', 'tester', 'reviewer', 'asker'] as const;
/** The agent roles of a crew. */
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Artifacts up to this many bytes travel inside the message that refers to them (see {@link ArtifactRef}). */
export const INLINE_ARTIFACT_MAX_BYTES = 64 * 1024;

/**
 * A blob that jobs and results refer to: in the artifact store (NATS object
 * store) under `name`, or, when small, carried along in `inline` (base64)
 * and never stored, which saves the store's round trips on both ends. A
 * shared artifact (one many jobs read, like a tree) carries its `sha256`:
 * a process that has read or written those bytes once serves them again
 * from memory, and checks them against the digest when it reads them.
 */
export const ArtifactRef = z
  .object({
    name: z.string().min(1),
    size: z.number().int().nonnegative(),
    inline: z
      .string()
      .max(Math.ceil(INLINE_ARTIFACT_MAX_BYTES / 3) * 4)
      .optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'a sha256 digest is 64 lowercase hex digits')
      .optional(),
  })
  .strict();
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/**
 * Which model a job talks to and how (temperature, reasoning effort, ...), and
 * its price as the orchestrator's configuration gives it (so a worker anywhere
 * counts cost the same way). Keys never travel: workers read them from their
 * own environment.
 */
export const ModelRef = z
  .object({
    name: z.string().min(1),
    baseURL: z.string().optional(),
    apiKeyEnv: z.string().optional(),
    price: ModelPrice.optional(),
    /** The model's context window in tokens, from the catalog (or a scripted model's script); absent: what codecrew knows of the model. */
    contextWindow: z.number().int().positive().optional(),
    ...ModelTuning.shape,
  })
  .strict();
export type ModelRef = z.infer<typeof ModelRef>;

/** Resource limits of the sandbox a job runs in, resolved to plain numbers. */
export const SandboxLimits = z
  .object({
    image: z.string().min(1),
    cpus: z.number().positive(),
    memoryBytes: z.number().int().positive(),
    pids: z.number().int().positive(),
    tmpBytes: z.number().int().positive(),
    commandTimeoutMs: z.number().int().positive(),
    maxOutputBytes: z.number().int().positive(),
  })
  .strict();
export type SandboxLimits = z.infer<typeof SandboxLimits>;

/** Pass/fail counts parsed from a test run; the exit code is the truth. */
export const TestReport = z
  .object({
    command: z.string(),
    exitCode: z.number().int().nullable(),
    timedOut: z.boolean(),
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    framework: z.string(),
    durationMs: z.number().nonnegative(),
    outputExcerpt: z.string(),
    log: ArtifactRef.optional(),
  })
  .strict();
export type TestReport = z.infer<typeof TestReport>;

const CoderInput = z
  .object({
    role: z.literal('coder'),
    kind: z.enum(['implement', 'fix', 'resolve']),
    subtask: Subtask,
    instructions: z.string().default(''),
  })
  .strict();

/** What a job asks of its agent; the shape depends on the role. */
export const JobInput = z.discriminatedUnion('role', [
  z.object({ role: z.literal('planner') }).strict(),
  CoderInput,
  z.object({ role: z.literal('tester'), command: z.string().min(1) }).strict(),
  z
    .object({
      role: z.literal('reviewer'),
      diff: ArtifactRef,
      tests: TestReport.nullable(),
      subtaskSummaries: z.array(z.object({ id: z.string(), title: z.string(), summary: z.string() }).strict()),
    })
    .strict(),
  z.object({ role: z.literal('asker') }).strict(),
]);
export type JobInput = z.infer<typeof JobInput>;

/** A unit of work for one agent, sent on `crew.jobs.<role>`. Idempotent by `id`. */
export const Job = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/),
    taskId: z.string().regex(/^[A-Za-z0-9_-]+$/),
    role: Role,
    attempt: z.number().int().min(1),
    subtaskId: z.string().optional(),
    createdAt: z.string(),
    prompt: z.string(),
    agentsMd: z.string(),
    /** A compact map of the repository's files, for the prompts of roles that plan or change code. */
    repoMap: z.string().optional(),
    /** The command that runs the repository's tests, when one is known, for the same prompts. */
    testCommand: z.string().optional(),
    tree: ArtifactRef,
    model: ModelRef,
    maxSteps: z.number().int().positive(),
    timeoutMs: z.number().int().positive(),
    sandbox: SandboxLimits,
    /** What is left of the task's budgets for this job's model calls. */
    budget: z
      .object({ maxTokens: z.number().nonnegative().optional(), maxCostUsd: z.number().nonnegative().optional() })
      .strict()
      .optional(),
    input: JobInput,
  })
  .strict();
export type Job = z.infer<typeof Job>;

/**
 * Token usage and cost of model calls. `cachedPromptTokens` are the part of
 * `promptTokens` the provider served from its prompt cache; `reasoningTokens`
 * the part of `completionTokens` a reasoning model spent thinking.
 */
export const Usage = z
  .object({
    calls: z.number().int().nonnegative(),
    promptTokens: z.number().int().nonnegative(),
    cachedPromptTokens: z.number().int().nonnegative().default(0),
    completionTokens: z.number().int().nonnegative(),
    reasoningTokens: z.number().int().nonnegative().default(0),
    costUsd: z.number().nonnegative(),
  })
  .strict();
export type Usage = z.infer<typeof Usage>;

/** One command an agent ran in its sandbox, with an excerpt of what it printed. */
export const CommandRecord = z
  .object({
    command: z.string(),
    exitCode: z.number().int().nullable(),
    timedOut: z.boolean(),
    truncated: z.boolean(),
    durationMs: z.number().nonnegative(),
    stdout: z.string(),
    stderr: z.string(),
    at: z.string(),
  })
  .strict();
export type CommandRecord = z.infer<typeof CommandRecord>;

/** What a job produced; the shape depends on the role. */
export const JobOutput = z.discriminatedUnion('role', [
  z.object({ role: z.literal('planner'), plan: Plan }).strict(),
  z
    .object({
      role: z.literal('coder'),
      summary: z.string(),
      patch: ArtifactRef.nullable(),
      changedFiles: z.array(z.string()),
      /** The new bytes of every changed path (a file set, see encodeFileSet), so the patch need not be applied again; absent when not made. */
      files: ArtifactRef.nullable().optional(),
      /**
       * Set when the coder did not call `finish`: `steps_exhausted`, it used all its steps and its
       * changes so far were handed over as they were, for the tests to judge.
       */
      incomplete: z.literal('steps_exhausted').optional(),
    })
    .strict(),
  z.object({ role: z.literal('tester'), report: TestReport }).strict(),
  z.object({ role: z.literal('reviewer'), review: Review }).strict(),
  z.object({ role: z.literal('asker'), markdown: z.string() }).strict(),
]);
export type JobOutput = z.infer<typeof JobOutput>;

/** The outcome of a job, published on `crew.results.<taskId>.<jobId>`. */
export const JobResult = z
  .object({
    jobId: z.string(),
    taskId: z.string(),
    role: Role,
    subtaskId: z.string().optional(),
    status: z.enum(['succeeded', 'failed', 'cancelled']),
    output: JobOutput.optional(),
    error: z
      .object({
        code: z.enum(ERROR_CODES),
        message: z.string(),
        retryable: z.boolean(),
        details: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
    usage: Usage,
    commands: z.array(CommandRecord),
    steps: z.number().int().nonnegative(),
    startedAt: z.string(),
    finishedAt: z.string(),
    worker: z.string(),
  })
  .strict();
export type JobResult = z.infer<typeof JobResult>;

/** A zero usage record. */
export function emptyUsage(): Usage {
  return { calls: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, reasoningTokens: 0, costUsd: 0 };
}

/** Adds usage records together. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    calls: a.calls + b.calls,
    promptTokens: a.promptTokens + b.promptTokens,
    cachedPromptTokens: a.cachedPromptTokens + b.cachedPromptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

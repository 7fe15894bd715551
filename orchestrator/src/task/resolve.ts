import { isAbsolute, resolve } from 'node:path';
import {
  ROLES,
  newId,
  parseDuration,
  parseSize,
  type Config,
  type ModelRef,
  type Role,
  type SandboxLimits,
  type TaskSpec,
} from '@codecrew/core';

/** Prefix of model names that stand for a scripted model server: `scripted:path/to/script.yaml`. */
export const SCRIPTED_PREFIX = 'scripted:';

/** A task with every default filled in and every unit resolved; what the orchestrator runs. */
export interface ResolvedTask {
  taskId: string;
  name: string;
  mode: 'code' | 'ask';
  prompt: string;
  repoPath: string;
  ref: string | null;
  models: Record<Role, ModelRef>;
  parallelism: number;
  attempts: number;
  maxSteps: number;
  reviewRounds: number;
  testCommand: string | null;
  sandbox: SandboxLimits;
  jobTimeoutMs: number;
  budget: { maxTokens: number | null; maxCostUsd: number | null; maxDurationMs: number | null };
  branch: string;
  patchPath: string | null;
  outDir: string;
  prices: Config['models']['prices'];
}

function resolveModel(name: string, config: Config, baseDir: string): ModelRef {
  if (name.startsWith(SCRIPTED_PREFIX)) {
    const script = name.slice(SCRIPTED_PREFIX.length);
    return { name: `${SCRIPTED_PREFIX}${isAbsolute(script) ? script : resolve(baseDir, script)}` };
  }
  const ref: ModelRef = { name, apiKeyEnv: config.models.endpoint.apiKeyEnv };
  if (config.models.endpoint.baseURL !== undefined) ref.baseURL = config.models.endpoint.baseURL;
  const price = config.models.prices[name];
  if (price !== undefined) ref.price = price;
  return ref;
}

/**
 * Fills in a task spec from the configuration. Relative paths in the spec are
 * resolved against `specDir`; `modelOverride` (the CLI's --model) applies to every role.
 */
export function resolveTask(
  spec: TaskSpec,
  config: Config,
  opts: { specDir: string; taskId?: string; modelOverride?: string; cwd?: string },
): ResolvedTask {
  const body = spec.spec;
  const taskId = opts.taskId ?? newId('t');
  const models = {} as Record<Role, ModelRef>;
  for (const role of ROLES) {
    const fromConfig = config.models[role] ?? config.models.default;
    const name = opts.modelOverride ?? body.models?.[role] ?? body.models?.default ?? fromConfig;
    const baseDir = opts.modelOverride !== undefined ? (opts.cwd ?? process.cwd()) : opts.specDir;
    models[role] = resolveModel(name, config, baseDir);
  }
  const sandbox = config.sandbox;
  const override = body.sandbox ?? {};
  return {
    taskId,
    name: spec.metadata.name,
    mode: body.mode,
    prompt: body.prompt,
    repoPath: resolve(opts.specDir, body.repo.path),
    ref: body.repo.ref ?? null,
    models,
    parallelism: body.parallelism ?? config.defaults.parallelism,
    attempts: body.attempts ?? config.defaults.attempts,
    maxSteps: body.budget?.maxSteps ?? config.defaults.maxSteps,
    reviewRounds: body.review?.maxRounds ?? config.defaults.reviewRounds,
    testCommand: body.test?.command ?? null,
    sandbox: {
      image: override.image ?? sandbox.image,
      cpus: override.cpus ?? sandbox.cpus,
      memoryBytes: parseSize(override.memory ?? sandbox.memory),
      pids: sandbox.pids,
      tmpBytes: parseSize(sandbox.tmpSize),
      commandTimeoutMs: parseDuration(override.commandTimeout ?? sandbox.commandTimeout),
      maxOutputBytes: parseSize(sandbox.maxOutput),
    },
    jobTimeoutMs: parseDuration(override.timeout ?? config.defaults.jobTimeout),
    budget: {
      maxTokens: body.budget?.maxTokens ?? null,
      maxCostUsd: body.budget?.maxCostUsd ?? null,
      maxDurationMs: body.budget?.maxDuration === undefined ? null : parseDuration(body.budget.maxDuration),
    },
    branch: body.output?.branch ?? `codecrew/${spec.metadata.name}`,
    patchPath: body.output?.patch === undefined ? null : resolve(opts.specDir, body.output.patch),
    outDir:
      body.output?.dir === undefined
        ? resolve(config.dataDir, 'tasks', taskId)
        : resolve(opts.specDir, body.output.dir, taskId),
    prices: config.models.prices,
  };
}

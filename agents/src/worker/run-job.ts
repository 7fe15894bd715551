import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  emptyUsage,
  isCodecrewError,
  toErrorData,
  type CommandRecord,
  type Job,
  type JobResult,
  type Role,
  type TraceEvent,
  type TraceKind,
} from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import { createChatModel } from '@codecrew/llm';
import { Workspace, type Sandbox, type SandboxProvider } from '@codecrew/sandbox';
import type { RoleRun } from '../runtime/role.ts';
import { abortError } from '../runtime/loop.ts';
import type { EmitEvent } from '../runtime/tool.ts';
import { runPlanner } from '../planner/run.ts';
import { runCoder } from '../coder/run.ts';
import { runTester } from '../tester/run.ts';
import { runReviewer } from '../reviewer/run.ts';
import { runAsker } from '../asker/run.ts';

const RUNNERS: Record<Role, RoleRun> = {
  planner: runPlanner,
  coder: runCoder,
  tester: runTester,
  reviewer: runReviewer,
  asker: runAsker,
};

/** Roles whose sandbox may change the workspace. */
const WRITABLE: ReadonlySet<Role> = new Set(['coder', 'tester']);

/** What running a job needs from the worker that owns it. */
export interface JobRuntime {
  bus: Bus;
  sandboxes: SandboxProvider;
  workRoot: string;
  workerId: string;
  prices: Record<string, { inputPerMillion: number; outputPerMillion: number }>;
  modelRetries: number;
  modelTimeoutMs: number;
  env: NodeJS.ProcessEnv;
}

/** Builds the event emitter of one job; events are published in order. */
function eventEmitter(bus: Bus, job: Job): { emit: EmitEvent; flush(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  const emit: EmitEvent = (kind: TraceKind, message: string, data: Record<string, unknown> = {}) => {
    const event: TraceEvent = { taskId: job.taskId, kind, at: new Date().toISOString(), jobId: job.id, role: job.role, message, data };
    if (job.subtaskId !== undefined) event.subtaskId = job.subtaskId;
    chain = chain.then(() => bus.publishEvent(event)).catch(() => undefined);
  };
  return { emit, flush: () => chain };
}

/**
 * Runs one job from start to end: workspace from the job's tree, a sandbox,
 * the role's logic, and a JobResult. The sandbox and workspace are always
 * removed; `defer` receives that cleanup so the result need not wait for it.
 */
export async function runJob(
  job: Job,
  runtime: JobRuntime,
  signal: AbortSignal,
  defer: (cleanup: Promise<void>) => void = () => undefined,
): Promise<JobResult> {
  const startedAt = new Date().toISOString();
  const { emit, flush } = eventEmitter(runtime.bus, job);
  const commands: CommandRecord[] = [];
  const meter = { usage: emptyUsage(), steps: 0 };
  const base = { jobId: job.id, taskId: job.taskId, role: job.role, startedAt, worker: runtime.workerId, commands };
  const withSubtask = job.subtaskId === undefined ? {} : { subtaskId: job.subtaskId };
  emit('job.started', `${job.role}${job.subtaskId ? ` ${job.subtaskId}` : ''} started`, { attempt: job.attempt, worker: runtime.workerId });
  let workspace: Workspace | null = null;
  let sandbox: Sandbox | null = null;
  let result: JobResult;
  try {
    const fetchStarted = Date.now();
    const tree = await runtime.bus.getArtifact(job.tree);
    const workspaceStarted = Date.now();
    // Only coders diff their workspace; the others skip recording a baseline.
    workspace = await Workspace.create({ parentDir: join(runtime.workRoot, job.id), tar: tree, baseline: job.role === 'coder' });
    const sandboxStarted = Date.now();
    sandbox = await runtime.sandboxes.create({
      workspaceDir: workspace.root,
      readOnly: !WRITABLE.has(job.role),
      limits: job.sandbox,
      labels: { task: job.taskId, job: job.id, role: job.role },
    });
    const timings = { fetchMs: workspaceStarted - fetchStarted, workspaceMs: sandboxStarted - workspaceStarted, sandboxMs: Date.now() - sandboxStarted };
    emit('log', `sandbox ${sandbox.id.slice(0, 12)} ready`, { sandbox: sandbox.id, readOnly: !WRITABLE.has(job.role), ...timings });
    const model: BaseChatModel | null =
      job.role === 'tester'
        ? null
        : createChatModel({
            model: job.model,
            context: { taskId: job.taskId, jobId: job.id, role: job.role, ...withSubtask, attempt: job.attempt },
            maxRetries: runtime.modelRetries,
            timeoutMs: runtime.modelTimeoutMs,
            env: runtime.env,
          });
    const price = runtime.prices[job.model.name];
    const run = await RUNNERS[job.role]({
      job,
      model,
      tools: { role: job.role, workspace, sandbox, emit, commands, signal, meter },
      artifacts: { put: (name, data) => runtime.bus.putArtifact(name, data), get: (ref) => runtime.bus.getArtifact(ref) },
      ...(price ? { price } : {}),
    });
    result = { ...base, ...withSubtask, status: 'succeeded', output: run.output, usage: run.usage, steps: run.steps, finishedAt: new Date().toISOString() };
  } catch (error) {
    const data = toErrorData(signal.aborted && !isCodecrewError(error) ? abortError(signal, error) : error);
    result = {
      ...base,
      ...withSubtask,
      status: data.code === 'CANCELLED' ? 'cancelled' : 'failed',
      error: data,
      usage: meter.usage,
      steps: meter.steps,
      finishedAt: new Date().toISOString(),
    };
  } finally {
    // The result does not wait for the sandbox to be removed; the worker awaits every cleanup before it stops.
    const [openSandbox, openWorkspace] = [sandbox, workspace];
    defer(
      (async () => {
        await openSandbox?.destroy().catch(() => undefined);
        await openWorkspace?.dispose().catch(() => undefined);
      })(),
    );
  }
  emit('job.finished', `${job.role}${job.subtaskId ? ` ${job.subtaskId}` : ''} ${result.status}${result.error ? `: ${result.error.message}` : ''}`, {
    status: result.status,
    error: result.error,
    usage: result.usage,
    steps: result.steps,
  });
  await flush();
  return result;
}

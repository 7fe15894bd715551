import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  emptyUsage,
  isCodecrewError,
  priceFor,
  toErrorData,
  type CommandRecord,
  type Job,
  type JobResult,
  type ModelCatalog,
  type Role,
  type TraceEvent,
  type TraceKind,
} from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import { createChatModel, type ModelRetry } from '@codecrew/llm';
import type { BaselineCache, SandboxProvider } from '@codecrew/sandbox';
import type { RoleRun } from '../runtime/role.ts';
import { abortError } from '../runtime/loop.ts';
import type { EmitEvent, ToolContext } from '../runtime/tool.ts';
import { JobEnvironment } from './job-environment.ts';
import { JobSteeringInbox } from './steering-inbox.ts';
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

/** What running a job needs from the worker that owns it. */
export interface JobRuntime {
  bus: Bus;
  sandboxes: SandboxProvider;
  /** Baseline commits shared by coders that start from the same tree; absent: each records its own. */
  baselines?: BaselineCache;
  workRoot: string;
  workerId: string;
  /** Prices of models whose job carries none (a job from an orchestrator without a price for its model). */
  catalog: ModelCatalog;
  modelRetries: number;
  modelTimeoutMs: number;
  env: NodeJS.ProcessEnv;
}

/** Builds the event emitter of one job: each event is sent at once (the bus stores them in call order); `flush` waits until all are stored. */
function eventEmitter(bus: Bus, job: Job): { emit: EmitEvent; flush(): Promise<void> } {
  let chain: Promise<unknown> = Promise.resolve();
  const emit: EmitEvent = (kind: TraceKind, message: string, data: Record<string, unknown> = {}) => {
    const event: TraceEvent = {
      taskId: job.taskId,
      kind,
      at: new Date().toISOString(),
      jobId: job.id,
      role: job.role,
      message,
      data,
    };
    if (job.subtaskId !== undefined) event.subtaskId = job.subtaskId;
    chain = Promise.all([chain, bus.publishEvent(event).catch(() => undefined)]);
  };
  return { emit, flush: () => chain.then(() => undefined) };
}

/**
 * A signal that aborts when either does, with its reason. (`AbortSignal.any`
 * keeps weak references to every signal made from a long-lived one, and
 * showed up in profiles of a wave of jobs starting together.)
 */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const either = new AbortController();
  for (const source of [a, b]) {
    if (source.aborted) {
      either.abort(source.reason);
      break;
    }
    source.addEventListener('abort', () => either.abort(source.reason), { once: true });
  }
  return either.signal;
}

/** How one delivery of a job runs. */
export interface RunJobOptions {
  /** Aborts the job (cancel, timeout, the worker stopping). */
  signal: AbortSignal;
  /**
   * Which delivery of the job this is: 1, or more when the job was delivered again because its
   * worker stopped answering or handed it back. A later delivery starts a new conversation with the
   * model and first removes the sandboxes the earlier deliveries left. Default 1.
   */
  delivery?: number;
  /** Receives the cleanup of the job's sandbox and workspace, to run when it suits; default: at once. */
  defer?: (cleanup: () => Promise<void>) => void;
}

/** The trace message of a model-call retry. */
function retryMessage(retry: ModelRetry): string {
  const what = retry.status === null ? (retry.error ?? retry.reason) : `HTTP ${retry.status}`;
  return `model call retry ${retry.attempt} of ${retry.maxRetries} after ${what} (${retry.reason}), waiting ${retry.waitMs} ms`;
}

/**
 * Runs one job from start to end: workspace from the job's tree (made while the
 * first model call runs), a sandbox started at its first command, the role's logic, and a JobResult.
 * The sandbox and workspace are always removed; `defer` receives that cleanup
 * to run when it suits (by default at once), so the result need not wait for it.
 */
export async function runJob(job: Job, runtime: JobRuntime, options: RunJobOptions): Promise<JobResult> {
  const { signal } = options;
  const delivery = options.delivery ?? 1;
  const defer = options.defer ?? ((cleanup) => void cleanup());
  const startedAt = new Date().toISOString();
  const { emit, flush } = eventEmitter(runtime.bus, job);
  const commands: CommandRecord[] = [];
  const meter = { usage: emptyUsage(), steps: 0 };
  const base = { jobId: job.id, taskId: job.taskId, role: job.role, startedAt, worker: runtime.workerId, commands };
  const withSubtask = job.subtaskId === undefined ? {} : { subtaskId: job.subtaskId };
  const who = `${job.role}${job.subtaskId ? ` ${job.subtaskId}` : ''}`;
  const started =
    delivery > 1
      ? `${who} started again on ${runtime.workerId} (delivery ${delivery}: an earlier one was lost or handed back)`
      : `${who} started`;
  emit('job.started', started, { attempt: job.attempt, worker: runtime.workerId, delivery });
  // A setup failure stops the job at once, even in the middle of its first model call.
  const setupFailed = new AbortController();
  const jobSignal = eitherSignal(signal, setupFailed.signal);
  const environment = new JobEnvironment(job, delivery, runtime, emit, (error) => setupFailed.abort(error));
  let result: JobResult;
  try {
    const model: BaseChatModel | null =
      job.role === 'tester'
        ? null
        : createChatModel({
            model: job.model,
            context: {
              taskId: job.taskId,
              jobId: job.id,
              role: job.role,
              ...withSubtask,
              attempt: job.attempt,
              delivery,
            },
            maxRetries: runtime.modelRetries,
            timeoutMs: runtime.modelTimeoutMs,
            env: runtime.env,
            onRetry: (retry) => emit('model.retry', retryMessage(retry), { ...retry, delivery }),
          });
    const price = job.model.price ?? priceFor(runtime.catalog, job.model.name);
    const tools: ToolContext = {
      role: job.role,
      ready: environment.ready,
      get workspace() {
        return environment.workspace;
      },
      get sandbox() {
        return environment.sandbox;
      },
      emit,
      commands,
      signal: jobSignal,
      meter,
      ...(model === null ? {} : { steering: new JobSteeringInbox(runtime.bus, job, emit) }),
    };
    const run = await RUNNERS[job.role]({
      job,
      model,
      tools,
      artifacts: {
        put: (name, data) => runtime.bus.putArtifact(name, data),
        get: (ref) => runtime.bus.getArtifact(ref),
      },
      ...(price ? { price } : {}),
    });
    result = {
      ...base,
      ...withSubtask,
      status: 'succeeded',
      output: run.output,
      usage: run.usage,
      steps: run.steps,
      finishedAt: new Date().toISOString(),
    };
  } catch (error) {
    const cause: unknown = setupFailed.signal.aborted ? setupFailed.signal.reason : error;
    const data = toErrorData(signal.aborted && !isCodecrewError(cause) ? abortError(signal, cause) : cause);
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
    defer(() => environment.dispose());
  }
  emit('job.finished', `${who} ${result.status}${result.error ? `: ${result.error.message}` : ''}`, {
    status: result.status,
    error: result.error,
    usage: result.usage,
    steps: result.steps,
    worker: runtime.workerId,
    delivery,
  });
  await flush();
  return result;
}

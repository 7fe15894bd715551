import {
  CodecrewError,
  type ArtifactRef,
  type Job,
  type JobInput,
  type JobResult,
  type Role,
  whenJobsStarted,
} from '@codecrew/core';
import { perRun, type GraphDeps } from './deps.ts';
import type { JobRecord, TaskStateValue } from './state.ts';

/** The part of the task state that jobs are built from. */
export type JobContextState = Pick<TaskStateValue, 'task' | 'agentsMd' | 'scratchDir'>;

/** How long a step that has just sent jobs lets them start before it carries on (see `letJobsStart`). */
const LET_START_MS = 100;

/**
 * Waits until the agent worker of this process has started the jobs `ids`
 * and sent their model calls (100 ms at most; at once without such a
 * worker). A step that has sent jobs ahead calls it before it returns: the
 * graph's hand-over to the next step (checkpoint, scheduling) is bookkeeping
 * nobody waits for yet, while the jobs' starts share this thread and are
 * what the task waits for.
 */
export function letJobsStart(ids: ReadonlyArray<string | null>): Promise<void> {
  return whenJobsStarted(ids.filter((id) => id !== null), LET_START_MS);
}

/** The id of the task's job named `name` (see {@link makeJob}). */
export function jobIdOf(state: Pick<JobContextState, 'task'>, name: string): string {
  return `${state.task.taskId}-${name}`;
}

/** Builds a job for the task; the id is deterministic so that a re-run node finds its earlier result. */
export function makeJob(
  state: JobContextState,
  opts: { id: string; role: Role; tree: ArtifactRef; input: JobInput; subtaskId?: string; attempt?: number },
): Job {
  const { task } = state;
  const job: Job = {
    id: jobIdOf(state, opts.id),
    taskId: task.taskId,
    role: opts.role,
    attempt: opts.attempt ?? 1,
    createdAt: new Date().toISOString(),
    prompt: task.prompt,
    agentsMd: state.agentsMd,
    tree: opts.tree,
    model: task.models[opts.role],
    maxSteps: task.maxSteps,
    timeoutMs: task.jobTimeoutMs,
    sandbox: task.sandbox,
    input: opts.input,
  };
  if (opts.subtaskId !== undefined) job.subtaskId = opts.subtaskId;
  return job;
}

/** A job sent before the node that waits for it runs (see {@link sendJobAhead}). */
interface SentAhead {
  job: Promise<Job>;
  result: Promise<JobResult>;
}

/** The jobs of a task run sent ahead and not yet taken, by id. */
const sentAhead = perRun(() => new Map<string, SentAhead>());

/** What makes two builds of a job the same job (not when they were built, nor the budget left then). */
function sameJob(a: Job, b: Job): boolean {
  const key = (j: Job) => JSON.stringify([j.role, j.subtaskId, j.attempt, j.tree.name, j.tree.size, j.input, j.model, j.prompt, j.agentsMd, j.maxSteps, j.timeoutMs, j.sandbox]);
  return key(a) === key(b);
}

/**
 * Sends `job` now, from the node before the one that needs it (prepare sends
 * the planner, plan the first wave of coders): the graph's hand-over between
 * the two steps then happens while the job starts. The node that needs it
 * builds the same job and calls {@link runOnCrew}, which waits for this one.
 */
export function sendJobAhead(deps: GraphDeps, id: string, job: Promise<Job>, afterDispatch?: () => void): void {
  const sent = sentAhead(deps);
  if (sent.has(id)) return;
  const result = job.then((built) => runNow(deps, built, afterDispatch));
  // The node that waits for it reports a failure.
  result.catch(() => undefined);
  job.catch(() => undefined);
  sent.set(id, { job, result });
}

/**
 * Sends a job to the crew and waits for its result; a job sent ahead
 * ({@link sendJobAhead}) is not sent again. In a resumed task, a result
 * already on the results stream (a node re-run after a crash) is used instead of dispatching again.
 * `afterDispatch` runs once the job is on its way: a moment for work ahead that should not delay it.
 */
export async function runOnCrew(deps: GraphDeps, job: Job, afterDispatch?: () => void): Promise<JobResult> {
  const ahead = sentAhead(deps).get(job.id);
  if (ahead !== undefined) {
    sentAhead(deps).delete(job.id);
    const aheadJob = await ahead.job.catch(() => null);
    // It could not even be built: this step sends its own, and reports what goes wrong.
    if (aheadJob === null) return runNow(deps, job, afterDispatch);
    if (sameJob(aheadJob, job)) {
      afterDispatch?.();
      return ahead.result;
    }
    // Never expected: the job sent ahead was built from another state. The same id cannot be sent
    // twice (the bus keeps the first), so the one sent ahead is the one that runs; say so.
    deps.emit('log', `job ${job.id} was sent ahead with other inputs than its step built; the one sent ahead runs`, { jobId: job.id });
    return ahead.result;
  }
  return runNow(deps, job, afterDispatch);
}

function runNow(deps: GraphDeps, job: Job, afterDispatch?: () => void): Promise<JobResult> {
  return job.role === 'coder' ? deps.coderSlots.run(() => dispatchAndWait(deps, job, afterDispatch)) : dispatchAndWait(deps, job, afterDispatch);
}

async function dispatchAndWait(deps: GraphDeps, job: Job, afterDispatch?: () => void): Promise<JobResult> {
  const existing = deps.resumed ? await deps.bus.getResult(job.taskId, job.id) : null;
  if (existing) return recordSpend(deps, existing);
  deps.budget.check();
  const left = deps.budget.remaining();
  if (left.maxTokens !== undefined || left.maxCostUsd !== undefined) job.budget = left;
  await deps.bus.dispatchJob(job);
  afterDispatch?.();
  deps.emit('job.dispatched', `${job.role}${job.subtaskId ? ` ${job.subtaskId}` : ''} dispatched`, {
    jobId: job.id,
    role: job.role,
    subtaskId: job.subtaskId,
    model: job.model.name,
  });
  try {
    return recordSpend(deps, await deps.bus.awaitResult(job.taskId, job.id, { signal: deps.signal, timeoutMs: job.timeoutMs + 60_000 }));
  } catch (error) {
    if (deps.signal.aborted) throw new CodecrewError('CANCELLED', 'the task was cancelled', { cause: error });
    throw error;
  }
}

/** The record of a finished job kept in the task state. */
export function jobRecord(result: JobResult, round: number): JobRecord {
  const record: JobRecord = {
    jobId: result.jobId,
    role: result.role,
    round,
    status: result.status,
    usage: result.usage,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    worker: result.worker,
  };
  if (result.subtaskId !== undefined) record.subtaskId = result.subtaskId;
  if (result.error !== undefined) record.error = result.error;
  return record;
}

/** The failure message of a job result, for people. */
export function failureOf(result: JobResult): string {
  return result.error ? `${result.error.code}: ${result.error.message}` : `job ${result.status}`;
}

/** Counts a job's result against the task's budgets; returns it. */
export function recordSpend(deps: GraphDeps, result: JobResult): JobResult {
  deps.budget.record(result);
  return result;
}

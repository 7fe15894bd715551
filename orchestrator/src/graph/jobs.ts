import { CodecrewError, type ArtifactRef, type Job, type JobInput, type JobResult, type Role } from '@codecrew/core';
import type { GraphDeps } from './deps.ts';
import type { JobRecord, TaskStateValue } from './state.ts';

/** The part of the task state that jobs are built from. */
export type JobContextState = Pick<TaskStateValue, 'task' | 'agentsMd' | 'scratchDir'>;

/** The id of the task's job named `name` (see {@link makeJob}). */
export function jobIdOf(state: Pick<JobContextState, 'task'>, name: string): string {
  return `${state.task.taskId}-${name}`;
}

/** What a job's prompt is told about the repository beyond the task's root AGENTS.md (see `repoContext`). */
export interface JobRepoContext {
  /** AGENTS.md down to the directories the job works in; default the root's (the state's). */
  agentsMd?: string;
  repoMap?: string;
  testCommand?: string | null;
}

/** Builds a job for the task; the id is deterministic so that a re-run node finds its earlier result. */
export function makeJob(
  state: JobContextState,
  opts: {
    id: string;
    role: Role;
    tree: ArtifactRef;
    input: JobInput;
    subtaskId?: string;
    attempt?: number;
    repo?: JobRepoContext;
  },
): Job {
  const { task } = state;
  const job: Job = {
    id: jobIdOf(state, opts.id),
    taskId: task.taskId,
    role: opts.role,
    attempt: opts.attempt ?? 1,
    createdAt: new Date().toISOString(),
    prompt: task.prompt,
    agentsMd: opts.repo?.agentsMd ?? state.agentsMd,
    tree: opts.tree,
    model: task.models[opts.role],
    maxSteps: task.maxSteps,
    timeoutMs: task.jobTimeoutMs,
    sandbox: task.sandbox,
    input: opts.input,
  };
  if (opts.subtaskId !== undefined) job.subtaskId = opts.subtaskId;
  if (opts.repo?.repoMap !== undefined) job.repoMap = opts.repo.repoMap;
  if (typeof opts.repo?.testCommand === 'string') job.testCommand = opts.repo.testCommand;
  return job;
}

/**
 * Sends a job to the crew and waits for its result; coders wait for one of
 * the task's coder slots first. In a resumed task, a result already on the
 * results stream (a node re-run after a crash) is used instead of sending
 * the job again.
 */
export function runOnCrew(deps: GraphDeps, job: Job): Promise<JobResult> {
  return job.role === 'coder' ? deps.coderSlots.run(() => dispatchAndWait(deps, job)) : dispatchAndWait(deps, job);
}

async function dispatchAndWait(deps: GraphDeps, job: Job): Promise<JobResult> {
  const existing = deps.resumed ? await deps.bus.getResult(job.taskId, job.id) : null;
  if (existing) return recordSpend(deps, existing);
  deps.budget.check();
  const left = deps.budget.remaining();
  if (left.maxTokens !== undefined || left.maxCostUsd !== undefined) job.budget = left;
  await deps.bus.dispatchJob(job);
  deps.emit('job.dispatched', `${job.role}${job.subtaskId ? ` ${job.subtaskId}` : ''} dispatched`, {
    jobId: job.id,
    role: job.role,
    subtaskId: job.subtaskId,
    model: job.model.name,
  });
  try {
    return recordSpend(
      deps,
      await deps.bus.awaitResult(job.taskId, job.id, { signal: deps.signal, timeoutMs: job.timeoutMs + 60_000 }),
    );
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
  if (result.output?.role === 'coder' && result.output.incomplete !== undefined) {
    record.incomplete = result.output.incomplete;
  }
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

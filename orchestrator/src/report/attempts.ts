import type { TraceEvent } from '@codecrew/core';

/**
 * How one delivery of a job ended: as its result says, `lost` when its worker
 * stopped answering and the job was delivered again, `unfinished` when the
 * trace has no end for it and no later delivery either.
 */
export type AttemptOutcome = 'succeeded' | 'failed' | 'cancelled' | 'lost' | 'unfinished';

/** One delivery of a job to a worker, as the trace tells it. */
export interface JobAttempt {
  delivery: number;
  worker: string;
  startedAt: string;
  endedAt: string | null;
  outcome: AttemptOutcome;
  /** Why a failed or cancelled delivery ended. */
  error?: string;
}

/** One retry of a model request, as the trace tells it. */
export interface ModelRetryRecord {
  at: string;
  delivery: number;
  attempt: number;
  status: number | null;
  reason: string;
  waitMs: number;
}

const number = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

function endOf(status: unknown): AttemptOutcome {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled' ? status : 'failed';
}

/**
 * Every delivery of every job, from the workers' job.started and job.finished
 * events (a delivery that started and never finished, followed by a later
 * one, was lost with its worker).
 */
export function attemptsByJob(events: readonly TraceEvent[]): Map<string, JobAttempt[]> {
  const byJob = new Map<string, Map<number, JobAttempt>>();
  for (const event of events) {
    if (event.jobId === undefined || (event.kind !== 'job.started' && event.kind !== 'job.finished')) continue;
    const delivery = number(event.data.delivery, 1);
    const attempts = byJob.get(event.jobId) ?? new Map<number, JobAttempt>();
    byJob.set(event.jobId, attempts);
    const worker = typeof event.data.worker === 'string' ? event.data.worker : '';
    const attempt = attempts.get(delivery) ?? {
      delivery,
      worker,
      startedAt: event.at,
      endedAt: null,
      outcome: 'unfinished',
    };
    attempts.set(delivery, attempt);
    if (event.kind === 'job.started') {
      attempt.startedAt = event.at;
      if (worker !== '') attempt.worker = worker;
      continue;
    }
    attempt.endedAt = event.at;
    attempt.outcome = endOf(event.data.status);
    const error = event.data.error as { code?: unknown; message?: unknown } | undefined;
    if (attempt.outcome !== 'succeeded' && typeof error?.message === 'string') {
      attempt.error = typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
    }
  }
  const out = new Map<string, JobAttempt[]>();
  for (const [jobId, attempts] of byJob) {
    const ordered = [...attempts.values()].sort((a, b) => a.delivery - b.delivery);
    const last = ordered.at(-1)?.delivery ?? 0;
    for (const attempt of ordered)
      if (attempt.outcome === 'unfinished' && attempt.delivery < last) attempt.outcome = 'lost';
    out.set(jobId, ordered);
  }
  return out;
}

/** Every model-call retry of every job, from the workers' model.retry events, in order. */
export function retriesByJob(events: readonly TraceEvent[]): Map<string, ModelRetryRecord[]> {
  const out = new Map<string, ModelRetryRecord[]>();
  for (const event of events) {
    if (event.kind !== 'model.retry' || event.jobId === undefined) continue;
    const list = out.get(event.jobId) ?? [];
    out.set(event.jobId, list);
    const status = event.data.status;
    list.push({
      at: event.at,
      delivery: number(event.data.delivery, 1),
      attempt: number(event.data.attempt, list.length + 1),
      status: typeof status === 'number' ? status : null,
      reason: typeof event.data.reason === 'string' ? event.data.reason : 'unknown',
      waitMs: number(event.data.waitMs, 0),
    });
  }
  return out;
}

/** Model-call retries per role (every job of the task, kept in the state or not). */
export function retriesByRole(events: readonly TraceEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const event of events) {
    if (event.kind !== 'model.retry') continue;
    const role = event.role ?? 'unknown';
    out[role] = (out[role] ?? 0) + 1;
  }
  return out;
}

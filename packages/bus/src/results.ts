import { CodecrewError, JobResult } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson, encodeJson } from './codec.ts';
import { assertToken } from './names.ts';

/** Validates and stores a job result on `<prefix>.results.<taskId>.<jobId>`. */
export async function publishResult(ctx: BusContext, result: JobResult): Promise<void> {
  const valid = JobResult.parse(result);
  assertToken('task id', valid.taskId);
  assertToken('job id', valid.jobId);
  await ctx.js.publish(ctx.names.result(valid.taskId, valid.jobId), encodeJson(valid));
}

/** The last stored result of a job, or null when there is none (or it is not a valid result). */
export async function getResult(ctx: BusContext, taskId: string, jobId: string): Promise<JobResult | null> {
  assertToken('task id', taskId);
  assertToken('job id', jobId);
  const stored = await ctx.jsm.streams.getMessage(ctx.names.resultsStream, {
    last_by_subj: ctx.names.result(taskId, jobId),
  });
  if (stored === null) return null;
  const parsed = JobResult.safeParse(decodeJson(stored.data));
  if (!parsed.success) {
    ctx.report(`ignoring an invalid result stored for job ${jobId}`, parsed.error);
    return null;
  }
  return parsed.data;
}

/**
 * Resolves with a job's result: the stored one at once, else the next one published. Subscribes before
 * looking in the stream so a result published in between is not missed.
 */
export async function awaitResult(
  ctx: BusContext,
  taskId: string,
  jobId: string,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<JobResult> {
  assertToken('task id', taskId);
  assertToken('job id', jobId);
  const { signal, timeoutMs } = opts;
  if (signal?.aborted) throw cancelled(jobId, signal);

  let settle: ((outcome: JobResult | CodecrewError) => void) | undefined;
  const outcome = new Promise<JobResult | CodecrewError>((resolve) => {
    settle = resolve;
  });
  const sub = ctx.nc.subscribe(ctx.names.result(taskId, jobId), {
    callback: (error, msg) => {
      if (error !== null) {
        settle?.(new CodecrewError('NATS_UNAVAILABLE', `lost the subscription for the result of job ${jobId}: ${error.message}`, {
          retryable: true,
          cause: error,
        }));
        return;
      }
      const parsed = JobResult.safeParse(decodeJson(msg.data));
      if (parsed.success) settle?.(parsed.data);
      else ctx.report(`ignoring an invalid result published for job ${jobId}`, parsed.error);
    },
  });
  const onAbort = (): void => settle?.(cancelled(jobId, signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          settle?.(
            new CodecrewError('JOB_TIMEOUT', `no result for job ${jobId} within ${timeoutMs} ms; is a worker for its role running?`, {
              retryable: true,
              details: { taskId, jobId, timeoutMs },
            }),
          );
        }, timeoutMs);
  try {
    await ctx.nc.flush();
    const stored = await getResult(ctx, taskId, jobId);
    if (stored !== null) settle?.(stored);
    const result = await outcome;
    if (result instanceof CodecrewError) throw result;
    return result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!ctx.nc.isClosed()) sub.unsubscribe();
  }
}

function cancelled(jobId: string, signal: AbortSignal | undefined): CodecrewError {
  const reason: unknown = signal?.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new CodecrewError('CANCELLED', `stopped waiting for the result of job ${jobId}: ${why}`, {
    details: { jobId },
  });
}

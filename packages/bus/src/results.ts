import { CodecrewError, JobResult } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { encodeJson } from './codec.ts';
import { assertToken } from './names.ts';
import { awaitStored, getStored, type StoredKind } from './stored.ts';

function resultOf(ctx: BusContext, taskId: string, jobId: string): StoredKind<JobResult> {
  assertToken('task id', taskId);
  assertToken('job id', jobId);
  return {
    what: 'result',
    stream: ctx.names.resultsStream,
    subject: ctx.names.result(taskId, jobId),
    schema: JobResult,
    jobId,
  };
}

/** Validates and stores a job result on `<prefix>.results.<taskId>.<jobId>`; `checked`: it was validated already. */
export async function publishResult(ctx: BusContext, result: JobResult, checked = false): Promise<void> {
  const valid = checked ? result : JobResult.parse(result);
  await ctx.js.publish(resultOf(ctx, valid.taskId, valid.jobId).subject, encodeJson(valid));
}

/** The last stored result of a job, or null when there is none (or it is not a valid result). */
export function getResult(ctx: BusContext, taskId: string, jobId: string): Promise<JobResult | null> {
  return getStored(ctx, resultOf(ctx, taskId, jobId));
}

/** Resolves with a job's result: the stored one at once, else the next one published. */
export function awaitResult(
  ctx: BusContext,
  taskId: string,
  jobId: string,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<JobResult> {
  return awaitStored(ctx, resultOf(ctx, taskId, jobId), {
    ...opts,
    onTimeout: () =>
      new CodecrewError(
        'JOB_TIMEOUT',
        `no result for job ${jobId} within ${opts.timeoutMs} ms; is a worker for its role running?`,
        {
          retryable: true,
          details: { taskId, jobId, timeoutMs: opts.timeoutMs },
        },
      ),
  });
}

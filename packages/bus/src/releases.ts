import { CodecrewError, StandbyRelease } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { encodeJson } from './codec.ts';
import { assertToken } from './names.ts';
import { awaitStored, type StoredKind } from './stored.ts';

function releaseOf(ctx: BusContext, taskId: string, jobId: string): StoredKind<StandbyRelease> {
  assertToken('task id', taskId);
  assertToken('job id', jobId);
  return { what: 'release', stream: ctx.names.releasesStream, subject: ctx.names.release(taskId, jobId), schema: StandbyRelease, jobId };
}

/** Stores the release of a standby job on `<prefix>.releases.<taskId>.<jobId>`; the first one stored is the one that counts. */
export async function releaseJob(ctx: BusContext, taskId: string, jobId: string, release: StandbyRelease): Promise<void> {
  const valid = StandbyRelease.parse(release);
  await ctx.js.publish(releaseOf(ctx, taskId, jobId).subject, encodeJson(valid), { msgID: `release-${taskId}-${jobId}` });
}

/** Resolves with a standby job's release: the stored one at once, else the next one published. */
export function awaitRelease(
  ctx: BusContext,
  taskId: string,
  jobId: string,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<StandbyRelease> {
  return awaitStored(ctx, releaseOf(ctx, taskId, jobId), {
    ...opts,
    onTimeout: () =>
      new CodecrewError('JOB_TIMEOUT', `standby job ${jobId} was not released within ${opts.timeoutMs} ms`, {
        details: { taskId, jobId, timeoutMs: opts.timeoutMs },
      }),
  });
}

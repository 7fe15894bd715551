import { Job } from '@codecrew/core';
import type { BusContext } from '../context.ts';
import { encodeJson } from '../codec.ts';

/**
 * Validates and publishes a job on `<prefix>.jobs.<role>`. The job id is the `Nats-Msg-Id`, so publishing
 * the same job twice within the stream's duplicate window stores it once.
 */
export async function dispatchJob(ctx: BusContext, job: Job): Promise<void> {
  const valid = Job.parse(job);
  await ctx.js.publish(ctx.names.jobs(valid.role), encodeJson(valid), { msgID: valid.id });
}

import { CodecrewError, ROLES, type Job } from '@codecrew/core';
import type { BusContext } from '../context.ts';
import { encodeJson } from '../codec.ts';
import { assertToken } from '../names.ts';

/**
 * Publishes a job on `<prefix>.jobs.<role>`. The job id is the `Nats-Msg-Id`, so publishing the same job
 * twice within the stream's duplicate window stores it once. Only the ids and the role are checked here
 * (they name subjects); the whole job is validated where it is received, once, and a worker records an
 * invalid one as a failed result saying what is wrong. A wave of eight coders sent at once would
 * otherwise validate each job twice on the orchestrator's busiest moment.
 */
export async function dispatchJob(ctx: BusContext, job: Job): Promise<void> {
  assertToken('task id', job.taskId);
  assertToken('job id', job.id);
  if (!(ROLES as readonly string[]).includes(job.role))
    throw new CodecrewError('INTERNAL', `job ${job.id} has no known role ("${String(job.role)}")`);
  await ctx.js.publish(ctx.names.jobs(job.role), encodeJson(job), { msgID: job.id });
}

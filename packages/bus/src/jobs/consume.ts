import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { ConsumerConfig, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { CodecrewError, Job } from '@codecrew/core';
import type { JobResult, Role } from '@codecrew/core';
import type { BusContext } from '../context.ts';
import { decodeJson } from '../codec.ts';
import { getResult, publishResult } from '../results.ts';
import type { ConsumeOptions, JobConsumerHandle, JobHandler } from '../types.ts';
import { checkHandlerResult, failedResult, salvageIds } from './outcome.ts';

/**
 * A running job sends a heartbeat every quarter of this, so a job is redelivered only when its worker
 * stopped answering: a few seconds after the worker died, not minutes.
 */
const DEFAULT_ACK_WAIT_MS = 8_000;
/** Failed pulls in a row after which the consumer says so (once, until a pull works again). */
const FAILURES_WORTH_REPORTING = 3;
const HEARTBEATS_PER_ACK_WAIT = 4;
const DEFAULT_MAX_DELIVER = 5;
/** How long one pull request waits for jobs before the next is sent. */
const PULL_EXPIRES_MS = 2_000;
/** After a job's timeout aborts its signal, how long the handler has to settle before the bus gives up on it. */
const TIMEOUT_GRACE_MS = 5_000;
/** How long a job handed back because its worker could not set it up waits before it is delivered again. */
const HAND_BACK_DELAY_MS = 1_000;
const nanos = (ms: number): number => ms * 1_000_000;

/**
 * A failure the worker could not help (its workspace or sandbox could not be set up: a NATS or Docker
 * call timed out on a loaded machine) is not the job's: while deliveries are left, the job goes back
 * to the server for another try, here or on another worker, instead of failing its subtask.
 */
function handsBack(result: JobResult, deliveryCount: number, maxDeliver: number): boolean {
  return result.status === 'failed' && result.error?.details?.handBack === true && deliveryCount < maxDeliver;
}

interface InFlight {
  msg: JsMsg;
  controller: AbortController;
  heartbeat: NodeJS.Timeout;
  abandoned: boolean;
  done: Promise<void>;
}

/** Creates the role's durable consumer, or updates its ack wait and delivery limit to the ones asked for. */
async function ensureConsumer(ctx: BusContext, role: Role, ackWaitMs: number, maxDeliver: number): Promise<string> {
  const stream = ctx.names.jobsStream;
  const durable = ctx.names.jobsConsumer(role);
  const wanted: Partial<ConsumerConfig> = { ack_wait: nanos(ackWaitMs), max_deliver: maxDeliver };
  let existing;
  try {
    existing = await ctx.jsm.consumers.info(stream, durable);
  } catch {
    existing = null;
  }
  if (existing === null) {
    await ctx.jsm.consumers.add(stream, {
      ...wanted,
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: ctx.names.jobs(role),
    });
  } else if (existing.config.ack_wait !== wanted.ack_wait || existing.config.max_deliver !== maxDeliver) {
    await ctx.jsm.consumers.update(stream, durable, wanted);
  }
  return durable;
}

/**
 * Pulls jobs of one role from its durable consumer and runs up to `concurrency` at once. Fetches only
 * when a slot is free, so no job waits in a local buffer while its ack deadline runs.
 */
export async function consumeJobs(
  ctx: BusContext,
  role: Role,
  handler: JobHandler,
  opts: ConsumeOptions,
): Promise<JobConsumerHandle> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new CodecrewError('INTERNAL', `consumeJobs concurrency must be a positive integer, got ${opts.concurrency}`);
  }
  const ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const durable = await ensureConsumer(ctx, role, ackWaitMs, maxDeliver);
  const consumer = await ctx.js.consumers.get(ctx.names.jobsStream, durable);

  const inFlight = new Set<InFlight>();
  /** In-flight jobs by stream sequence: a later delivery of one supersedes the earlier. */
  const bySequence = new Map<number, InFlight>();
  const heartbeatMs = Math.max(100, Math.floor(ackWaitMs / HEARTBEATS_PER_ACK_WAIT));
  let stopped = false;
  let wake: (() => void) | null = null;
  const slotFreed = (): void => {
    wake?.();
    wake = null;
  };

  const runJob = async (msg: JsMsg, entry: InFlight): Promise<void> => {
    const raw = decodeJson(msg.data);
    const parsed = Job.safeParse(raw);
    const startedAt = new Date().toISOString();
    if (!parsed.success) {
      msg.term('invalid job');
      ctx.report(`terminated an invalid ${role} job on ${msg.subject}`, parsed.error);
      const ids = salvageIds(raw, role);
      if (ids !== null) {
        const error = new CodecrewError('JOB_FAILED', `the job message is invalid: ${parsed.error.message}`);
        await publishResult(ctx, failedResult(ids, error, startedAt, ctx.name)).catch((e: unknown) =>
          ctx.report(`could not record the failure of invalid job ${ids.id}`, e),
        );
      }
      return;
    }
    const job = parsed.data;
    // A redelivery after a crash between publishing and acking, or a copy dispatched again past the
    // dedupe window, has a result already: it is acked and not run, and the stored result stands.
    if ((await getResult(ctx, job.taskId, job.id)) !== null) {
      await msg.ackAck().catch((e: unknown) => ctx.report(`could not ack already-finished job ${job.id}`, e));
      try {
        opts.onAlreadyFinished?.(job, { deliveryCount: msg.info.deliveryCount });
      } catch (error) {
        ctx.report(`onAlreadyFinished failed for job ${job.id}`, error);
      }
      return;
    }
    // Abandoned while it was asked: left unacked for the server to redeliver.
    if (entry.abandoned) return;

    const signal = entry.controller.signal;
    const timeout = setTimeout(() => {
      entry.controller.abort(
        new CodecrewError('JOB_TIMEOUT', `job ${job.id} ran longer than its timeout of ${job.timeoutMs} ms`, {
          retryable: true,
          details: { jobId: job.id, timeoutMs: job.timeoutMs },
        }),
      );
    }, job.timeoutMs);
    let result: JobResult;
    let checked = false;
    try {
      const context = { signal, deliveryCount: msg.info.deliveryCount, working: () => heartbeat(msg) };
      const value = await untilGivenUp(handler(job, context), signal);
      result = checkHandlerResult(job, value);
      checked = true;
    } catch (error) {
      // A handler that rejects because its signal fired says why through the signal's reason.
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      result = failedResult(job, reason instanceof CodecrewError ? reason : error, startedAt, ctx.name);
    } finally {
      clearTimeout(timeout);
      clearInterval(entry.heartbeat);
    }
    if (entry.abandoned) return;
    if (handsBack(result, msg.info.deliveryCount, maxDeliver)) {
      ctx.report(
        `handed ${role} job ${job.id} back after delivery ${msg.info.deliveryCount} of ${maxDeliver}: ${result.error?.message ?? ''}`,
      );
      msg.nak(HAND_BACK_DELAY_MS);
      return;
    }
    try {
      // A handler's result was validated by checkHandlerResult; a failure built here is validated now.
      await publishResult(ctx, result, checked);
      await msg.ackAck();
    } catch (error) {
      // Left unacked: the server redelivers after ack_wait and the result check above avoids a rerun.
      ctx.report(`could not record the result of job ${job.id}`, error);
    }
  };

  const start = (msg: JsMsg): void => {
    // The server gave up on an earlier delivery still running here (its heartbeats did not arrive in
    // time): that one ends without a result, and only this delivery answers.
    const earlier = bySequence.get(msg.seq);
    if (earlier !== undefined) {
      abandon(
        earlier,
        new CodecrewError('CANCELLED', `delivery ${msg.info.deliveryCount} of this ${role} job replaced this one`),
        false,
      );
    }
    const entry: InFlight = {
      msg,
      controller: new AbortController(),
      heartbeat: setInterval(() => heartbeat(msg), heartbeatMs),
      abandoned: false,
      done: Promise.resolve(),
    };
    entry.done = runJob(msg, entry)
      .catch((error: unknown) => ctx.report(`${role} job on ${msg.subject} failed inside the bus`, error))
      .finally(() => {
        clearInterval(entry.heartbeat);
        inFlight.delete(entry);
        if (bySequence.get(msg.seq) === entry) bySequence.delete(msg.seq);
        slotFreed();
      });
    inFlight.add(entry);
    bySequence.set(msg.seq, entry);
  };

  // One pull asks for as many jobs as there are free slots, so a burst of jobs
  // (eight coders dispatched at once) starts together rather than one round trip apart.
  let batch: ConsumerMessages | null = null;
  // A pull that fails once and works on the retry (its heartbeats missed while the process was busy) is not
  // worth a line on stderr; failures in a row are (NATS gone, the consumer deleted).
  let failuresInARow = 0;
  const loop = (async () => {
    while (!stopped) {
      const free = opts.concurrency - inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      try {
        batch = await consumer.fetch({ max_messages: free, expires: PULL_EXPIRES_MS });
        for await (const msg of batch) {
          if (stopped) msg.nak();
          else start(msg);
        }
        failuresInARow = 0;
      } catch (error) {
        if (stopped) break;
        failuresInARow += 1;
        if (failuresInARow === FAILURES_WORTH_REPORTING) {
          ctx.report(`fetching ${role} jobs failed ${failuresInARow} times in a row; retrying every second`, error);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        batch = null;
      }
    }
  })();

  return {
    async stop(stopOpts: { abandon?: boolean } = {}): Promise<void> {
      stopped = true;
      slotFreed();
      batch?.stop();
      if (stopOpts.abandon === true) {
        for (const entry of inFlight) {
          abandon(entry, new CodecrewError('CANCELLED', `the ${role} consumer was stopped while the job ran`), true);
        }
        await loop;
        return;
      }
      await loop;
      await Promise.all([...inFlight].map((entry) => entry.done));
    },
  };
}

/**
 * Ends a job without a result or an ack: its handler is aborted with `reason`. `handBack` asks the
 * server to deliver it again at once (to whichever worker pulls next) instead of after ack_wait.
 */
function abandon(entry: InFlight, reason: CodecrewError, handBack: boolean): void {
  if (entry.abandoned) return;
  entry.abandoned = true;
  clearInterval(entry.heartbeat);
  entry.controller.abort(reason);
  if (!handBack) return;
  try {
    entry.msg.nak();
  } catch {
    // a closed connection: the server redelivers after ack_wait
  }
}

/** Extends the ack deadline; a closed connection only means the job will be redelivered. */
function heartbeat(msg: JsMsg): void {
  try {
    msg.working();
  } catch {
    // nothing to do: without heartbeats the server redelivers after ack_wait
  }
}

/** Waits for the handler; once its signal has fired, waits only a grace period more before giving up on it. */
function untilGivenUp<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let grace: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      grace = setTimeout(() => reject(signal.reason), TIMEOUT_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(grace);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import type { Job, JobResult } from '@codecrew/core';
import { connectBus } from '@codecrew/bus';
import type { Bus, EmbeddedNats, JobConsumerHandle } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import { connect } from '@nats-io/transport-node';
import { answer, askerJob, eventually, sleep } from './fixtures.ts';

let nats: EmbeddedNats;
beforeAll(async () => {
  nats = await startNats('bus jobs');
});
afterAll(async () => {
  await nats?.stop();
});

/** A bus on its own prefix plus the cleanup of everything a test opened. */
async function setup(
  name: string,
): Promise<{ bus: Bus; open: (n: string) => Promise<Bus>; done: () => Promise<void> }> {
  const prefix = testPrefix(name);
  const buses: Bus[] = [];
  const handles: JobConsumerHandle[] = [];
  const open = async (n: string): Promise<Bus> => {
    const bus = await connectBus({ servers: nats.url, name: n, prefix, onError: () => undefined });
    buses.push(bus);
    const consume = bus.consumeJobs.bind(bus);
    bus.consumeJobs = async (...args) => {
      const handle = await consume(...args);
      handles.push(handle);
      return handle;
    };
    return bus;
  };
  const bus = await open(`${name}-main`);
  return {
    bus,
    open,
    done: async () => {
      await Promise.all(handles.map((h) => h.stop({ abandon: true })));
      await Promise.all(buses.map((b) => b.close()));
    },
  };
}

describe('jobs', () => {
  it('dispatch → consume → result → awaitResult', async () => {
    const { bus, done } = await setup('roundtrip');
    try {
      const seen: Array<{ job: Job; deliveryCount: number }> = [];
      await bus.consumeJobs(
        'asker',
        async (job, ctx) => {
          seen.push({ job, deliveryCount: ctx.deliveryCount });
          return answer(job, `answered: ${job.prompt}`);
        },
        { concurrency: 1 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 10_000 });
      expect(result).toEqual({
        ...answer(job, 'answered: What does this repository do?'),
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
      });
      expect(seen).toEqual([{ job, deliveryCount: 1 }]);
      expect(await bus.getResult(job.taskId, job.id)).toEqual(result);
    } finally {
      await done();
    }
  });

  it('stores a job dispatched twice with the same id once', async () => {
    const { bus, done } = await setup('dedupe');
    try {
      const job = askerJob();
      await bus.dispatchJob(job);
      await bus.dispatchJob(job);
      await bus.dispatchJob({ ...job, prompt: 'same id, other text' });
      const runs: string[] = [];
      await bus.consumeJobs(
        'asker',
        async (j) => {
          runs.push(j.prompt);
          return answer(j, 'once');
        },
        { concurrency: 2 },
      );
      await bus.awaitResult(job.taskId, job.id, { timeoutMs: 10_000 });
      await sleep(2_500); // longer than one pull: a duplicate would have been delivered by now
      expect(runs).toEqual(['What does this repository do?']);
    } finally {
      await done();
    }
  });

  it('awaitResult returns an already-published result at once, and getResult is null before', async () => {
    const { bus, done } = await setup('stored result');
    try {
      const job = askerJob();
      expect(await bus.getResult(job.taskId, job.id)).toEqual(null);
      await bus.publishResult(answer(job, 'first'));
      await bus.publishResult(answer(job, 'second'));
      const started = Date.now();
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(result.output).toEqual({ role: 'asker', markdown: 'second' });
    } finally {
      await done();
    }
  });

  it('awaitResult times out with JOB_TIMEOUT and stops with CANCELLED', async () => {
    const { bus, done } = await setup('await errors');
    try {
      const job = askerJob();
      const timeout = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 300 }).catch((e: unknown) => e);
      expect((timeout as CodecrewError).code).toEqual('JOB_TIMEOUT');
      const controller = new AbortController();
      const waiting = bus.awaitResult(job.taskId, job.id, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort('task cancelled by user');
      const cancelled = (await waiting) as CodecrewError;
      expect(cancelled.code).toEqual('CANCELLED');
      expect(cancelled.message).toContain('task cancelled by user');
    } finally {
      await done();
    }
  });

  it('runs N jobs at once with concurrency N, and no more', async () => {
    const { bus, done } = await setup('concurrency');
    try {
      const intervals: Array<{ start: number; end: number }> = [];
      await bus.consumeJobs(
        'asker',
        async (job) => {
          const start = Date.now();
          await sleep(700);
          intervals.push({ start, end: Date.now() });
          return answer(job, 'ok');
        },
        { concurrency: 3 },
      );
      const jobs = Array.from({ length: 6 }, () => askerJob());
      for (const job of jobs) await bus.dispatchJob(job);
      await Promise.all(jobs.map((job) => bus.awaitResult(job.taskId, job.id, { timeoutMs: 20_000 })));
      const maxOverlap = Math.max(
        ...intervals.map((a) => intervals.filter((b) => b.start <= a.start && a.start < b.end).length),
      );
      expect(intervals.length).toEqual(6);
      expect(maxOverlap).toEqual(3);
    } finally {
      await done();
    }
  });

  it('records a failed result with the error code when the handler throws, and acks the job', async () => {
    const { bus, done } = await setup('handler throws');
    try {
      let calls = 0;
      await bus.consumeJobs(
        'asker',
        async () => {
          calls++;
          throw new CodecrewError('MODEL_ERROR', 'the model endpoint answered 500; check models.endpoint', {
            retryable: true,
            details: { status: 500 },
          });
        },
        { concurrency: 1, ackWaitMs: 1_000 },
      );
      const job = askerJob({ subtaskId: 'st-1' });
      await bus.dispatchJob(job);
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 10_000 });
      expect(result.status).toEqual('failed');
      expect(result.subtaskId).toEqual('st-1');
      expect(result.worker).toContain('handler throws');
      expect(result.error).toEqual({
        code: 'MODEL_ERROR',
        message: 'the model endpoint answered 500; check models.endpoint',
        retryable: true,
        details: { status: 500 },
      });
      await sleep(2_000); // past ack_wait: an unacked job would come back
      expect(calls).toEqual(1);
    } finally {
      await done();
    }
  });

  it('hands a job whose setup failed (handBack) back for another delivery, and records the failure of the last one', async () => {
    const { bus, done } = await setup('hand back');
    try {
      const deliveries: number[] = [];
      const setupFailed = (job: Job): JobResult => ({
        ...answer(job, ''),
        status: 'failed',
        output: undefined,
        error: { code: 'SANDBOX_UNAVAILABLE', message: 'timeout', retryable: true, details: { handBack: true } },
      });
      await bus.consumeJobs(
        'asker',
        async (job, ctx) => {
          deliveries.push(ctx.deliveryCount);
          // The first job succeeds on its second delivery; the second never sets up.
          if (job.prompt === 'recovers' && ctx.deliveryCount === 2) return answer(job, 'second delivery');
          return setupFailed(job);
        },
        { concurrency: 1, ackWaitMs: 30_000, maxDeliver: 3 },
      );
      const recovers = askerJob({ prompt: 'recovers' });
      await bus.dispatchJob(recovers);
      const first = await bus.awaitResult(recovers.taskId, recovers.id, { timeoutMs: 15_000 });
      expect(first.status).toEqual('succeeded');
      expect(deliveries).toEqual([1, 2]);

      deliveries.length = 0;
      const never = askerJob({ prompt: 'never' });
      await bus.dispatchJob(never);
      const last = await bus.awaitResult(never.taskId, never.id, { timeoutMs: 15_000 });
      expect(last.status).toEqual('failed');
      expect(last.error?.code).toEqual('SANDBOX_UNAVAILABLE');
      expect(deliveries).toEqual([1, 2, 3]);
    } finally {
      await done();
    }
  });

  it('a plain Error becomes INTERNAL, and a result for another job becomes JOB_FAILED', async () => {
    const { bus, done } = await setup('bad handler');
    try {
      await bus.consumeJobs(
        'asker',
        async (job) => {
          if (job.prompt === 'throw') throw new Error('boom');
          return answer(askerJob(), 'wrong job');
        },
        { concurrency: 2 },
      );
      const thrower = askerJob({ prompt: 'throw' });
      const wrong = askerJob({ prompt: 'wrong' });
      await bus.dispatchJob(thrower);
      await bus.dispatchJob(wrong);
      const [a, b] = await Promise.all([
        bus.awaitResult(thrower.taskId, thrower.id, { timeoutMs: 10_000 }),
        bus.awaitResult(wrong.taskId, wrong.id, { timeoutMs: 10_000 }),
      ]);
      expect(a.error).toEqual({ code: 'INTERNAL', message: 'boom', retryable: false });
      expect(b.status).toEqual('failed');
      expect(b.error?.code).toEqual('JOB_FAILED');
    } finally {
      await done();
    }
  });

  it('terminates an invalid job message and records a failed result for its ids', async () => {
    const { bus, done } = await setup('invalid job');
    const nc = await connect({ servers: nats.url });
    try {
      let calls = 0;
      await bus.consumeJobs(
        'asker',
        async (job) => {
          calls++;
          return answer(job, 'x');
        },
        { concurrency: 1, ackWaitMs: 1_000 },
      );
      nc.publish(`${bus.prefix}.jobs.asker`, JSON.stringify({ id: 'job_bad', taskId: 'task_bad', role: 'asker' }));
      await nc.flush();
      const result = await bus.awaitResult('task_bad', 'job_bad', { timeoutMs: 10_000 });
      expect(result.status).toEqual('failed');
      expect(result.role).toEqual('asker');
      expect(result.error?.code).toEqual('JOB_FAILED');
      expect(result.error?.message).toContain('the job message is invalid');
      await sleep(2_000);
      expect(calls).toEqual(0);
    } finally {
      await nc.close();
      await done();
    }
  });

  it('dispatchJob checks only what names subjects; the worker records the rest of an invalid job as a failed result', async () => {
    const { bus, done } = await setup('invalid dispatch');
    try {
      let calls = 0;
      await bus.consumeJobs(
        'asker',
        async (job) => {
          calls++;
          return answer(job, 'x');
        },
        { concurrency: 1 },
      );
      await expect(bus.dispatchJob(askerJob({ id: 'not a token' }))).rejects.toThrow(/job id/);
      await expect(bus.dispatchJob({ ...askerJob(), role: 'boss' as never })).rejects.toThrow(/no known role/);
      const job = askerJob({ maxSteps: -1 });
      await bus.dispatchJob(job);
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 10_000 });
      expect(result.error?.code).toEqual('JOB_FAILED');
      expect(result.error?.message).toMatch(/the job message is invalid.*maxSteps/s);
      expect(calls).toEqual(0);
    } finally {
      await done();
    }
  });

  it('keeps a long job alive with heartbeats past ack_wait', async () => {
    const { bus, done } = await setup('heartbeat');
    try {
      const deliveries: number[] = [];
      await bus.consumeJobs(
        'asker',
        async (job, ctx) => {
          deliveries.push(ctx.deliveryCount);
          await sleep(3_500);
          return answer(job, 'slow');
        },
        { concurrency: 2, ackWaitMs: 1_000 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 15_000 });
      expect(result.output).toEqual({ role: 'asker', markdown: 'slow' });
      expect(deliveries).toEqual([1]);
    } finally {
      await done();
    }
  });

  it('redelivers a job whose consumer stopped without acking, with deliveryCount 2', async () => {
    const { bus, open, done } = await setup('redelivery');
    try {
      let started!: () => void;
      const firstStarted = new Promise<void>((resolve) => {
        started = resolve;
      });
      let abortedWith: unknown;
      const first = await bus.consumeJobs(
        'asker',
        (_job, ctx) =>
          new Promise<JobResult>((_resolve, reject) => {
            started();
            ctx.signal.addEventListener('abort', () => {
              abortedWith = ctx.signal.reason;
              reject(ctx.signal.reason as Error);
            });
          }),
        { concurrency: 1, ackWaitMs: 1_500, maxDeliver: 3 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      await firstStarted;
      await first.stop({ abandon: true });
      expect((abortedWith as CodecrewError).code).toEqual('CANCELLED');
      expect(await bus.getResult(job.taskId, job.id)).toEqual(null);

      const other = await open('redelivery-second');
      const deliveries: number[] = [];
      await other.consumeJobs(
        'asker',
        async (j, ctx) => {
          deliveries.push(ctx.deliveryCount);
          return answer(j, 'second worker');
        },
        { concurrency: 1, ackWaitMs: 1_500, maxDeliver: 3 },
      );
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 15_000 });
      expect(result.output).toEqual({ role: 'asker', markdown: 'second worker' });
      expect(deliveries).toEqual([2]);
    } finally {
      await done();
    }
  });

  it('hands an abandoned job back at once: the next worker gets it long before ack_wait', async () => {
    const { bus, open, done } = await setup('hand back');
    try {
      let started = false;
      const first = await bus.consumeJobs(
        'asker',
        (_job, ctx) =>
          new Promise<JobResult>((_resolve, reject) => {
            started = true;
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
          }),
        { concurrency: 1, ackWaitMs: 120_000 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      expect(await eventually(() => started, 10_000)).toEqual(true);
      await first.stop({ abandon: true });

      const other = await open('hand-back-second');
      const deliveries: number[] = [];
      await other.consumeJobs(
        'asker',
        async (j, ctx) => {
          deliveries.push(ctx.deliveryCount);
          return answer(j, 'taken over');
        },
        { concurrency: 1, ackWaitMs: 120_000 },
      );
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 20_000 });
      expect(result.output).toEqual({ role: 'asker', markdown: 'taken over' });
      expect(deliveries).toEqual([2]);
    } finally {
      await done();
    }
  });

  it('a stalled delivery that the server gave up on ends without a result when its redelivery arrives here', async () => {
    const { bus, done } = await setup('superseded');
    try {
      const seen: Array<{ delivery: number; aborted: string | null }> = [];
      await bus.consumeJobs(
        'asker',
        async (job, ctx) => {
          const entry = { delivery: ctx.deliveryCount, aborted: null as string | null };
          seen.push(entry);
          ctx.signal.addEventListener('abort', () => (entry.aborted = (ctx.signal.reason as CodecrewError).code));
          if (ctx.deliveryCount > 1) return answer(job, 'second delivery');
          // A stalled process sends no heartbeat: past ack_wait the server delivers the job again.
          const until = Date.now() + 1_600;
          while (Date.now() < until) {
            // blocked
          }
          await eventually(() => seen.length > 1, 10_000);
          await sleep(300);
          return answer(job, 'first delivery');
        },
        { concurrency: 2, ackWaitMs: 1_000 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 15_000 });
      expect(result.output).toEqual({ role: 'asker', markdown: 'second delivery' });
      await sleep(1_000);
      expect(seen).toEqual([
        { delivery: 1, aborted: 'CANCELLED' },
        { delivery: 2, aborted: null },
      ]);
      expect((await bus.getResult(job.taskId, job.id))?.output).toEqual({ role: 'asker', markdown: 'second delivery' });
    } finally {
      await done();
    }
  });

  it('redelivers after the first connection closes mid-job (a crash), and the handler sees its signal abort', async () => {
    const { bus, open, done } = await setup('crash');
    try {
      const crashing = await open('crash-first');
      let signal: AbortSignal | undefined;
      await crashing.consumeJobs(
        'asker',
        (_job, ctx) => {
          signal = ctx.signal;
          return new Promise<JobResult>(() => undefined); // never settles
        },
        { concurrency: 1, ackWaitMs: 1_000 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      expect(await eventually(() => signal !== undefined, 10_000)).toEqual(true);
      await crashing.close();
      expect(signal?.aborted).toEqual(true);

      const deliveries: number[] = [];
      await bus.consumeJobs(
        'asker',
        async (j, ctx) => {
          deliveries.push(ctx.deliveryCount);
          return answer(j, 'after crash');
        },
        { concurrency: 1, ackWaitMs: 1_000 },
      );
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 15_000 });
      expect(result.output).toEqual({ role: 'asker', markdown: 'after crash' });
      expect(deliveries).toEqual([2]);
    } finally {
      await done();
    }
  });

  it('a later consumer of the role may change ack wait and max deliver', async () => {
    const { bus, done } = await setup('reconfigure');
    try {
      const first = await bus.consumeJobs('asker', async (job) => answer(job, 'first'), {
        concurrency: 1,
        ackWaitMs: 1_000,
        maxDeliver: 2,
      });
      await first.stop();
      await bus.consumeJobs('asker', async (job) => answer(job, 'second'), {
        concurrency: 1,
        ackWaitMs: 4_000,
        maxDeliver: 7,
      });
      const job = askerJob();
      await bus.dispatchJob(job);
      expect((await bus.awaitResult(job.taskId, job.id, { timeoutMs: 10_000 })).output).toEqual({
        role: 'asker',
        markdown: 'second',
      });
      const nc = await connect({ servers: nats.url });
      try {
        const { jetstreamManager } = await import('@nats-io/jetstream');
        const info = await (
          await jetstreamManager(nc)
        ).consumers.info(`${bus.prefix.toUpperCase()}_JOBS`, `${bus.prefix}-asker`);
        expect({ ackWait: info.config.ack_wait, maxDeliver: info.config.max_deliver }).toEqual({
          ackWait: 4_000_000_000,
          maxDeliver: 7,
        });
      } finally {
        await nc.close();
      }
    } finally {
      await done();
    }
  });

  it('stop() waits for in-flight jobs to finish and publish', async () => {
    const { bus, done } = await setup('graceful stop');
    try {
      let started = false;
      const handle = await bus.consumeJobs(
        'asker',
        async (job) => {
          started = true;
          await sleep(800);
          return answer(job, 'finished during stop');
        },
        { concurrency: 1 },
      );
      const job = askerJob();
      await bus.dispatchJob(job);
      expect(await eventually(() => started, 10_000)).toEqual(true);
      await handle.stop();
      expect((await bus.getResult(job.taskId, job.id))?.output).toEqual({
        role: 'asker',
        markdown: 'finished during stop',
      });
    } finally {
      await done();
    }
  });

  it('aborts a handler that outlives job.timeoutMs and records JOB_TIMEOUT', async () => {
    const { bus, done } = await setup('job timeout');
    try {
      await bus.consumeJobs(
        'asker',
        (_job, ctx) =>
          new Promise<JobResult>((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
        { concurrency: 1 },
      );
      const job = askerJob({ timeoutMs: 500 });
      await bus.dispatchJob(job);
      const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 10_000 });
      expect(result.status).toEqual('failed');
      expect(result.error?.code).toEqual('JOB_TIMEOUT');
    } finally {
      await done();
    }
  });

  it('acks a job that already has a result without running it, and keeps that result', async () => {
    const { bus, done } = await setup('finished-already');
    try {
      const finished = askerJob({ prompt: 'finished' });
      const first = {
        ...answer(finished, 'the first run'),
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
      };
      await bus.publishResult(first);
      const runs: string[] = [];
      const skipped: Array<[string, number]> = [];
      await bus.consumeJobs(
        'asker',
        async (j) => {
          runs.push(j.prompt);
          return answer(j, 'a second run');
        },
        {
          concurrency: 1,
          ackWaitMs: 1_000,
          onAlreadyFinished: (j, delivery) => skipped.push([j.id, delivery.deliveryCount]),
        },
      );
      await bus.dispatchJob(finished);
      // One slot takes the stream in order: once the next job has its result, the first has been handled.
      const next = askerJob({ prompt: 'next' });
      await bus.dispatchJob(next);
      await bus.awaitResult(next.taskId, next.id, { timeoutMs: 10_000 });
      await sleep(1_500); // past ack_wait: an unacked job would come back
      expect(runs).toEqual(['next']);
      expect(skipped).toEqual([[finished.id, 1]]);
      expect(await bus.getResult(finished.taskId, finished.id)).toEqual(first);
    } finally {
      await done();
    }
  });
});

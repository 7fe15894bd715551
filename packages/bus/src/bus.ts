import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import type { ObjectStore } from '@nats-io/obj';
import { CodecrewError } from '@codecrew/core';
import type { ArtifactRef, Job, JobResult, Role, SteeringMessage, TraceEvent } from '@codecrew/core';
import { ArtifactCache } from './artifact-cache.ts';
import { getArtifact, putArtifact, type PutArtifactOptions } from './artifacts.ts';
import { openContext } from './context.ts';
import type { BusContext } from './context.ts';
import { publishControl, subscribeControl } from './control.ts';
import { publishEvent, readEvents, subscribeEvents } from './events.ts';
import { followEvents } from './event-feed.ts';
import { consumeJobs } from './jobs/consume.ts';
import { dispatchJob } from './jobs/dispatch.ts';
import { awaitResult, getResult, publishResult } from './results.ts';
import {
  appliedSteering,
  publishSteering,
  readSteering,
  recordAppliedSteering,
  type StoredSteering,
} from './steering.ts';
import type {
  Bus,
  BusOptions,
  ConsumeOptions,
  ControlMessage,
  JobConsumerHandle,
  JobHandler,
  Stoppable,
  WorkerInfo,
} from './types.ts';
import { listWorkers, registerWorker } from './workers.ts';

const DEFAULT_WORKER_TTL_MS = 15_000;
/** How long `close()` lets the connection drain before it closes it as it is. */
const CLOSE_DRAIN_MS = 2_000;
/** How long a job's record of the steering messages it applied is kept (as long as the messages). */
const STEERING_TTL_MS = 7 * 24 * 3_600_000;

/**
 * Connects to NATS and makes sure the streams and buckets of the prefix exist (safe to call from many
 * processes at once). Throws NATS_UNAVAILABLE naming the URL when NATS or JetStream cannot be reached.
 *
 * @example
 * const bus = await connectBus({ servers: 'nats://127.0.0.1:4222', name: 'worker-1' });
 * await bus.dispatchJob(job);
 * const result = await bus.awaitResult(job.taskId, job.id, { timeoutMs: 600_000 });
 */
export async function connectBus(opts: BusOptions): Promise<Bus> {
  const ctx = await openContext(opts);
  const workerTtlMs = opts.workerTtlMs ?? DEFAULT_WORKER_TTL_MS;
  try {
    const artifacts = await new Objm(ctx.js).create(ctx.names.artifactsBucket);
    const workers = await new Kvm(ctx.js).create(ctx.names.workersBucket, { history: 1, ttl: workerTtlMs });
    const steering = await new Kvm(ctx.js).create(ctx.names.steeringBucket, { history: 1, ttl: STEERING_TTL_MS });
    return new NatsBus(ctx, artifacts, workers, workerTtlMs, steering);
  } catch (error) {
    await ctx.nc.close().catch(() => undefined);
    throw new CodecrewError(
      'NATS_UNAVAILABLE',
      `cannot create the artifact, worker and steering buckets at ${opts.servers}: ${String(error)}`,
      {
        retryable: true,
        details: { servers: opts.servers },
        cause: error,
      },
    );
  }
}

class NatsBus implements Bus {
  readonly prefix: string;
  readonly #consumers = new Set<JobConsumerHandle>();
  readonly #registrations = new Set<{ halt(): void }>();
  #closed: Promise<void> | null = null;
  /** False while the connection is down (the client keeps trying to reconnect). */
  #connected = true;
  /** Shared artifacts (trees) this connection has written or read. */
  readonly #artifactCache = new ArtifactCache();

  constructor(
    private readonly ctx: BusContext,
    private readonly artifacts: ObjectStore,
    private readonly workers: KV,
    private readonly workerTtlMs: number,
    private readonly steering: KV,
  ) {
    this.prefix = ctx.names.prefix;
    this.#followStatus().catch(() => undefined);
  }

  async #followStatus(): Promise<void> {
    for await (const status of this.ctx.nc.status()) {
      if (status.type === 'disconnect') this.#connected = false;
      else if (status.type === 'reconnect') this.#connected = true;
    }
  }

  dispatchJob(job: Job): Promise<void> {
    return dispatchJob(this.ctx, job);
  }

  async consumeJobs(role: Role, handler: JobHandler, opts: ConsumeOptions): Promise<JobConsumerHandle> {
    const inner = await consumeJobs(this.ctx, role, handler, opts);
    const handle: JobConsumerHandle = {
      stop: async (stopOpts) => {
        this.#consumers.delete(handle);
        await inner.stop(stopOpts);
      },
    };
    this.#consumers.add(handle);
    return handle;
  }

  publishResult(result: JobResult): Promise<void> {
    return publishResult(this.ctx, result);
  }

  getResult(taskId: string, jobId: string): Promise<JobResult | null> {
    return getResult(this.ctx, taskId, jobId);
  }

  awaitResult(taskId: string, jobId: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<JobResult> {
    return awaitResult(this.ctx, taskId, jobId, opts);
  }

  publishEvent(event: TraceEvent): Promise<void> {
    return publishEvent(this.ctx, event);
  }

  subscribeEvents(taskId: string, handler: (event: TraceEvent) => void): Promise<Stoppable> {
    return subscribeEvents(this.ctx, taskId, handler);
  }

  readEvents(taskId: string): Promise<TraceEvent[]> {
    return readEvents(this.ctx, taskId);
  }

  followEvents(fromSeq: number, handler: (event: TraceEvent, seq: number) => Promise<void>): Promise<Stoppable> {
    return followEvents(this.ctx, fromSeq, handler);
  }

  publishControl(taskId: string, message: ControlMessage): Promise<void> {
    return publishControl(this.ctx, taskId, message);
  }

  subscribeControl(
    taskId: string,
    handler: (message: ControlMessage & { taskId: string }) => void,
  ): Promise<Stoppable> {
    return subscribeControl(this.ctx, taskId, handler);
  }

  publishSteering(message: SteeringMessage): Promise<void> {
    return publishSteering(this.ctx, message);
  }

  readSteering(taskId: string, afterSeq: number): Promise<StoredSteering[]> {
    return readSteering(this.ctx, taskId, afterSeq);
  }

  appliedSteering(taskId: string, jobId: string): Promise<string[]> {
    return appliedSteering(this.steering, taskId, jobId);
  }

  recordAppliedSteering(taskId: string, jobId: string, messageIds: string[]): Promise<void> {
    return recordAppliedSteering(this.steering, taskId, jobId, messageIds);
  }

  putArtifact(name: string, data: Uint8Array, options?: PutArtifactOptions): Promise<ArtifactRef> {
    return putArtifact(this.artifacts, this.#artifactCache, name, data, options);
  }

  getArtifact(ref: ArtifactRef | string): Promise<Uint8Array> {
    return getArtifact(this.artifacts, this.#artifactCache, ref);
  }

  async registerWorker(info: Omit<WorkerInfo, 'seenAt'>): Promise<Stoppable> {
    const registration = await registerWorker(this.ctx, this.workers, this.workerTtlMs, info);
    this.#registrations.add(registration);
    return {
      stop: async () => {
        this.#registrations.delete(registration);
        await registration.stop();
      },
    };
  }

  listWorkers(): Promise<WorkerInfo[]> {
    return listWorkers(this.ctx, this.workers);
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    // Heartbeats stop without deleting entries: they expire by TTL, as if this process had died.
    for (const registration of this.#registrations) registration.halt();
    this.#registrations.clear();
    await Promise.all([...this.#consumers].map((handle) => handle.stop({ abandon: true })));
    const { nc } = this.ctx;
    if (nc.isClosed()) return;
    if (!this.#connected) {
      // Nothing buffered can reach a server that is gone: the connection is closed as it is.
      await nc.close().catch(() => undefined);
      return;
    }
    // Draining flushes what is still buffered; a server that is gone never answers, so it is bounded.
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      nc.drain().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_DRAIN_MS))),
    ]);
    clearTimeout(timer);
    if (!drained && !nc.isClosed()) await nc.close().catch(() => undefined);
  }
}

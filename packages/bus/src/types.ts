import type { ArtifactRef, Job, JobResult, Role, SteeringMessage, TraceEvent } from '@codecrew/core';
import type { PutArtifactOptions } from './artifacts.ts';
import type { StoredSteering } from './steering.ts';

/** A message on `<prefix>.control.<taskId>`: stop a task, or add guidance to it. */
export type ControlMessage = { type: 'cancel'; reason: string } | { type: 'steer'; text: string };

/** How to reach NATS and which names to use. */
export interface BusOptions {
  /** NATS URL(s), comma-separated, e.g. `nats://127.0.0.1:4222`. */
  servers: string;
  /** Connection name, shown by the server and written as `worker` in failed results built here. */
  name: string;
  /** First token of every subject; stream and bucket names derive from it. Default `crew`. */
  prefix?: string;
  /** How long a worker entry lives without heartbeat (the KV bucket's TTL). Default 15 s. */
  workerTtlMs?: number;
  /** Where problems that have no caller to throw to are reported. Default: stderr. */
  onError?: (message: string, error?: unknown) => void;
}

/** What a job handler gets besides the job. */
export interface JobContext {
  /** Aborted when the consumer is abandoned or the bus closes while the job runs. */
  signal: AbortSignal;
  /** 1 on first delivery, 2 on the first redelivery, and so on. */
  deliveryCount: number;
  /** Extends the ack deadline now; heartbeats are also sent automatically. */
  working(): void;
}

/** Runs one job and returns its result; throwing records a failed result. */
export type JobHandler = (job: Job, ctx: JobContext) => Promise<JobResult>;

/** Options of `consumeJobs`. */
export interface ConsumeOptions {
  /** How many jobs run at once in this process. */
  concurrency: number;
  /**
   * Time the server waits for an ack (or heartbeat) before redelivering. Default 8 s; running jobs send
   * a heartbeat every quarter of it, so only a job whose worker stopped answering is delivered again.
   */
  ackWaitMs?: number;
  /** How often a job is delivered at most before it stays in the stream as a dead letter. Default 5. */
  maxDeliver?: number;
  /**
   * Hears of a delivered job that already has a result (its worker died between publishing the result
   * and acking): it is acked and not run.
   */
  onAlreadyFinished?: (job: Job, delivery: { deliveryCount: number }) => void;
}

/** A running job consumer. */
export interface JobConsumerHandle {
  /**
   * Stops fetching and waits for in-flight jobs. With `abandon: true` it does not wait: in-flight jobs
   * are aborted, get no result and are handed back to the server (nak), which delivers them again at
   * once; when the server cannot be told, after `ack_wait`.
   */
  stop(opts?: { abandon?: boolean }): Promise<void>;
}

/** A worker as listed in the workers bucket. */
export interface WorkerInfo {
  id: string;
  roles: Role[];
  host: string;
  pid: number;
  seenAt: string;
}

/** Something that can be stopped. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** codecrew's messaging: jobs, results, trace events, control messages, artifacts and worker presence. */
export interface Bus {
  readonly prefix: string;
  /** Publishes a job on `<prefix>.jobs.<role>`; the same job id is stored once (dedupe by `Nats-Msg-Id`). */
  dispatchJob(job: Job): Promise<void>;
  /** Runs `handler` for every job of `role`, `concurrency` at a time, from a durable pull consumer. */
  consumeJobs(role: Role, handler: JobHandler, opts: ConsumeOptions): Promise<JobConsumerHandle>;
  /** Stores a result on `<prefix>.results.<taskId>.<jobId>`. */
  publishResult(result: JobResult): Promise<void>;
  /** The last stored result of a job, or null. */
  getResult(taskId: string, jobId: string): Promise<JobResult | null>;
  /** A stored result at once, else the next one published; JOB_TIMEOUT or CANCELLED otherwise. */
  awaitResult(taskId: string, jobId: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<JobResult>;
  /**
   * Stores a trace event on `<prefix>.events.<taskId>.<kind>`. The message is
   * written before the call returns, so events sent from one bus are stored
   * in the order of the calls, without waiting for each other's acks.
   */
  publishEvent(event: TraceEvent): Promise<void>;
  /** Calls `handler` for every event published from now on, of one task or all (`'*'`). */
  subscribeEvents(taskId: string | '*', handler: (event: TraceEvent) => void): Promise<Stoppable>;
  /** All stored events of a task, in publication order. */
  readEvents(taskId: string): Promise<TraceEvent[]>;
  /**
   * Delivers every stored event of every task from stream sequence `fromSeq` on (1: from the first), in
   * stream order, with its stream sequence; the next event waits until the handler has settled. What a
   * follower that keeps events elsewhere (the task store of `codecrew serve`) reads the stream with.
   */
  followEvents(fromSeq: number, handler: (event: TraceEvent, seq: number) => Promise<void>): Promise<Stoppable>;
  /** Sends a control message to whoever runs the task (core NATS, not stored). */
  publishControl(taskId: string, message: ControlMessage): Promise<void>;
  /** Calls `handler` for control messages of one task or all (`'*'`). */
  subscribeControl(
    taskId: string | '*',
    handler: (message: ControlMessage & { taskId: string }) => void,
  ): Promise<Stoppable>;
  /**
   * Stores a user's steering message for a task's agents (JetStream `<prefix>.steering.<taskId>`), where
   * every job of the task it is for reads it before its next model call, also a job that starts later.
   */
  publishSteering(message: SteeringMessage): Promise<void>;
  /** A task's stored steering messages after stream sequence `afterSeq` (0: all), oldest first. */
  readSteering(taskId: string, afterSeq: number): Promise<StoredSteering[]>;
  /** Ids of the steering messages a job has applied (recorded by an earlier delivery of it), else empty. */
  appliedSteering(taskId: string, jobId: string): Promise<string[]>;
  /** Records every steering message a job has applied so far. */
  recordAppliedSteering(taskId: string, jobId: string, messageIds: string[]): Promise<void>;
  /**
   * Stores bytes in the artifacts object store (small ones travel inline in the reference instead, unless
   * `shared`: see {@link PutArtifactOptions}); `name` may contain `/` and `.`. Overwrites.
   */
  putArtifact(name: string, data: Uint8Array, options?: PutArtifactOptions): Promise<ArtifactRef>;
  /**
   * Reads an artifact back (from the reference itself when inline; from this connection's memory when shared
   * and written or read here before); ARTIFACT_NOT_FOUND when it is missing, ARTIFACT_INVALID when its bytes
   * do not match the reference.
   */
  getArtifact(ref: ArtifactRef | string): Promise<Uint8Array>;
  /** Announces a worker and keeps its entry alive until `stop()`, which removes it. */
  registerWorker(info: Omit<WorkerInfo, 'seenAt'>): Promise<Stoppable>;
  /** Workers whose heartbeat is younger than the bucket's TTL. */
  listWorkers(): Promise<WorkerInfo[]>;
  /**
   * Abandons running consumers (their jobs are handed back) and heartbeats, then drains the connection;
   * a server that does not answer within 2 s gets the connection closed as it is.
   */
  close(): Promise<void>;
}

import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError, ROLES, newId, type Job, type Role } from '@codecrew/core';
import type { Bus, JobConsumerHandle } from '@codecrew/bus';
import { BaselineCache, type SandboxProvider } from '@codecrew/sandbox';
import { runJob, type JobRuntime } from './run-job.ts';
import { CleanupQueue } from './cleanup-queue.ts';

/** How to run an agent worker. */
export interface AgentWorkerOptions {
  bus: Bus;
  sandboxes: SandboxProvider;
  /** Host directory under which job workspaces are created. */
  workRoot: string;
  id?: string;
  roles?: readonly Role[];
  /** Jobs at once per role; coders default to 4, the rest to 2. */
  concurrency?: Partial<Record<Role, number>>;
  /** Prices of models whose jobs carry none (`models.catalog` of this worker's configuration). */
  catalog?: JobRuntime['catalog'];
  modelRetries?: number;
  modelTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_CONCURRENCY: Record<Role, number> = { planner: 2, coder: 4, tester: 2, reviewer: 2, asker: 2 };
/** How long `stop()` waits for NATS to take the worker's goodbyes (unsubscribe, deregistration). */
const NATS_GOODBYE_MS = 1_000;

/** A job running in this worker. */
interface RunningJob {
  taskId: string;
  controller: AbortController;
  /** Resolves once the job has handed its sandbox and workspace to the cleanup queue. */
  released: Promise<void>;
}

/** Waits for `work` at most `ms`; its failure or lateness is nobody's problem. */
async function atMost(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (work === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * A NATS consumer that runs agent jobs: one durable pull consumer per role,
 * each job in its own sandbox. Cancel messages on the control subject abort
 * the task's running jobs.
 */
export class AgentWorker {
  readonly id: string;
  private readonly consumers: JobConsumerHandle[] = [];
  private readonly running = new Set<RunningJob>();
  /** Finished jobs' sandboxes and workspaces, removed in the background. */
  private readonly cleanups = new CleanupQueue();
  private readonly baselines: BaselineCache;
  private stopControl: (() => Promise<void>) | null = null;
  private stopRegistration: (() => Promise<void>) | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: AgentWorkerOptions) {
    this.id = options.id ?? `worker-${hostname()}-${process.pid}-${newId().slice(-6)}`;
    this.baselines = new BaselineCache(join(options.workRoot, '.baselines'));
  }

  /** Jobs running now. */
  get runningJobs(): number {
    return this.running.size;
  }

  /** Starts consuming jobs for the configured roles. */
  async start(): Promise<void> {
    const { bus } = this.options;
    await mkdir(this.options.workRoot, { recursive: true });
    const runtime: JobRuntime = {
      bus,
      sandboxes: this.options.sandboxes,
      baselines: this.baselines,
      workRoot: this.options.workRoot,
      workerId: this.id,
      catalog: this.options.catalog ?? {},
      modelRetries: this.options.modelRetries ?? 4,
      modelTimeoutMs: this.options.modelTimeoutMs ?? 300_000,
      env: this.options.env ?? process.env,
    };
    const control = await bus.subscribeControl('*', (message) => {
      if (message.type !== 'cancel') return;
      for (const job of this.running) {
        if (job.taskId === message.taskId) job.controller.abort(new Error(message.reason));
      }
    });
    this.stopControl = () => control.stop();
    const roles = this.options.roles ?? ROLES;
    for (const role of roles) {
      const concurrency = this.options.concurrency?.[role] ?? DEFAULT_CONCURRENCY[role];
      const handle = await bus.consumeJobs(
        role,
        async (job, ctx) => {
          const controller = new AbortController();
          const onAbort = () => controller.abort(ctx.signal.reason);
          ctx.signal.addEventListener('abort', onAbort, { once: true });
          let release = (): void => undefined;
          const entry: RunningJob = {
            taskId: job.taskId,
            controller,
            released: new Promise((resolve) => (release = resolve)),
          };
          this.running.add(entry);
          try {
            return await runJob(job, runtime, {
              signal: controller.signal,
              delivery: ctx.deliveryCount,
              defer: (cleanup) => {
                void this.cleanups.add(cleanup);
                release();
              },
            });
          } finally {
            release();
            ctx.signal.removeEventListener('abort', onAbort);
            this.running.delete(entry);
          }
        },
        { concurrency, onAlreadyFinished: (job, delivery) => this.removeEarlierSandboxes(job, delivery.deliveryCount) },
      );
      this.consumers.push(handle);
    }
    const registration = await bus.registerWorker({
      id: this.id,
      roles: [...roles],
      host: hostname(),
      pid: process.pid,
    });
    this.stopRegistration = () => registration.stop();
  }

  /**
   * Waits until the sandboxes and workspaces of finished jobs are removed: for
   * a caller that wants the host idle before it starts something it measures
   * (the benchmarks).
   */
  async drain(): Promise<void> {
    await this.cleanups.drain();
  }

  /**
   * Stops taking jobs, cancels the running ones and hands them back to the
   * queue (another worker takes them at once), and waits until their
   * sandboxes and workspaces are removed. NATS need not answer: saying
   * goodbye to it is bounded. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    const jobs = [...this.running];
    const reason = new CodecrewError(
      'CANCELLED',
      `worker ${this.id} stopped; the job went back to the queue for another worker`,
    );
    for (const job of jobs) job.controller.abort(reason);
    // Abandoned jobs publish no result; their deliveries are handed back to the server.
    await Promise.all(this.consumers.map((consumer) => consumer.stop({ abandon: true })));
    this.consumers.length = 0;
    await Promise.all(jobs.map((job) => job.released));
    await this.cleanups.drain();
    await this.baselines.close();
    await Promise.all([
      atMost(this.stopControl?.(), NATS_GOODBYE_MS),
      atMost(this.stopRegistration?.(), NATS_GOODBYE_MS),
    ]);
  }

  /** A job that finished before its worker could ack it: what that worker left running goes now. */
  private removeEarlierSandboxes(job: Job, deliveryCount: number): void {
    if (deliveryCount <= 1 || this.options.sandboxes.removeJob === undefined) return;
    void this.cleanups.add(async () => {
      await this.options.sandboxes.removeJob?.(job.id);
    });
  }
}

import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROLES, newId, type Role } from '@codecrew/core';
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
  prices?: JobRuntime['prices'];
  modelRetries?: number;
  modelTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_CONCURRENCY: Record<Role, number> = { planner: 2, coder: 4, tester: 2, reviewer: 2, asker: 2 };

/**
 * A NATS consumer that runs agent jobs: one durable pull consumer per role,
 * each job in its own sandbox. Cancel messages on the control subject abort
 * the task's running jobs.
 */
export class AgentWorker {
  readonly id: string;
  private readonly consumers: JobConsumerHandle[] = [];
  private readonly running = new Map<string, { taskId: string; controller: AbortController }>();
  /** Finished jobs' sandboxes and workspaces, removed in the background. */
  private readonly cleanups = new CleanupQueue();
  private readonly baselines: BaselineCache;
  private stopControl: (() => Promise<void>) | null = null;
  private stopRegistration: (() => Promise<void>) | null = null;

  constructor(private readonly options: AgentWorkerOptions) {
    this.id = options.id ?? `worker-${hostname()}-${process.pid}-${newId().slice(-6)}`;
    this.baselines = new BaselineCache(join(options.workRoot, '.baselines'));
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
      prices: this.options.prices ?? {},
      modelRetries: this.options.modelRetries ?? 4,
      modelTimeoutMs: this.options.modelTimeoutMs ?? 300_000,
      env: this.options.env ?? process.env,
    };
    const control = await bus.subscribeControl('*', (message) => {
      if (message.type !== 'cancel') return;
      for (const job of this.running.values()) {
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
          this.running.set(job.id, { taskId: job.taskId, controller });
          try {
            return await runJob(job, runtime, controller.signal, (cleanup) => void this.cleanups.add(cleanup));
          } finally {
            ctx.signal.removeEventListener('abort', onAbort);
            this.running.delete(job.id);
          }
        },
        { concurrency },
      );
      this.consumers.push(handle);
    }
    const registration = await bus.registerWorker({ id: this.id, roles: [...roles], host: hostname(), pid: process.pid });
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

  /** Stops taking jobs, aborts running ones, and waits for them to clean up. */
  async stop(): Promise<void> {
    for (const job of this.running.values()) job.controller.abort(new Error('worker stopping'));
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    this.consumers.length = 0;
    await this.cleanups.drain();
    await this.baselines.close();
    await this.stopControl?.();
    await this.stopRegistration?.();
  }
}

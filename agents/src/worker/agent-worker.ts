import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROLES, currentQuietGate, currentStartGate, newId, setQuietGate, setStartGate, startProcessThreads, type QuietGate, type Role, type StartGate } from '@codecrew/core';
import type { Bus, JobConsumerHandle } from '@codecrew/bus';
import { BaselineCache, type SandboxProvider } from '@codecrew/sandbox';
import { runJob, type JobRuntime } from './run-job.ts';
import { QuietQueue, type QuietQueueOptions } from './quiet-queue.ts';
import { HeapUpkeep } from './heap-upkeep.ts';
import { StartedJobs } from './started-jobs.ts';

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
  /** When finished jobs' sandboxes are removed and work ahead runs (see QuietQueue); `stop()` removes what is left. */
  cleanup?: QuietQueueOptions;
  /** Collect this process's garbage at quiet moments (see HeapUpkeep); default true. */
  heapUpkeep?: boolean;
}

const DEFAULT_CONCURRENCY: Record<Role, number> = { planner: 2, coder: 4, tester: 2, reviewer: 2, asker: 2 };

/** The longest a job's setup waits for the other starting jobs to send their model calls. */
const SETUP_MAX_WAIT_MS = 100;

/** The longest a warm-pool refill waits for a quiet moment. */
const REFILL_MAX_WAIT_MS = 30_000;

/**
 * A NATS consumer that runs agent jobs: one durable pull consumer per role,
 * each job in its own sandbox. Cancel messages on the control subject abort
 * the task's running jobs.
 */
export class AgentWorker {
  readonly id: string;
  private readonly consumers: JobConsumerHandle[] = [];
  private readonly running = new Map<string, { taskId: string; controller: AbortController }>();
  private readonly cleanups = new Set<Promise<void>>();
  private readonly gate: QuietGate = (run, maxWaitMs) => this.quiet.whenQuiet(run, maxWaitMs);
  private readonly started = new StartedJobs();
  /** Once the jobs have started here, and every job waits on its model (the time left, at most). */
  private readonly startGate: StartGate = (jobIds, run, maxWaitMs) =>
    this.started.whenStarted(jobIds, (leftMs) => (leftMs > 0 ? this.quiet.whenIdle(run, leftMs) : run()), maxWaitMs);
  private readonly quiet: QuietQueue;
  private readonly baselines: BaselineCache;
  private stopControl: (() => Promise<void>) | null = null;
  private stopRegistration: (() => Promise<void>) | null = null;
  private stopUpkeep: (() => void) | null = null;

  constructor(private readonly options: AgentWorkerOptions) {
    this.id = options.id ?? `worker-${hostname()}-${process.pid}-${newId().slice(-6)}`;
    this.quiet = new QuietQueue(options.cleanup);
    // The warm pool's replacements are made when the worker waits on models, not while its agents work.
    // A replacement container can wait: it is for a later job.
    options.sandboxes.paceRefills?.(() => new Promise<void>((resolve) => this.quiet.whenQuiet(resolve, REFILL_MAX_WAIT_MS)));
    this.baselines = new BaselineCache(join(options.workRoot, '.baselines'));
  }

  /** Starts consuming jobs for the configured roles. */
  async start(): Promise<void> {
    const { bus } = this.options;
    startProcessThreads();
    // An orchestrator in this process does its work ahead at this worker's quiet moments too,
    // and lets the jobs it has just sent start before it carries on.
    setQuietGate(this.gate);
    setStartGate(this.startGate);
    const upkeep = this.options.heapUpkeep === false ? null : HeapUpkeep.forThisProcess();
    // Garbage is collected while the jobs wait on models, so that V8 seldom stops the thread when replies come.
    if (upkeep !== null) this.stopUpkeep = this.quiet.onQuietMoment(() => upkeep.tend());
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
      onModelWait: (jobId, waiting) => this.quiet.modelWait(jobId, waiting),
      whenQuiet: (run) => this.quiet.whenQuiet(run),
      whenIdle: (run) => this.quiet.whenIdle(run, SETUP_MAX_WAIT_MS),
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
          this.quiet.working(1);
          this.started.add(job.id);
          try {
            // A standby job waiting for its release is not working, and leaves its slot to another job.
            const onStandby = (_jobId: string, waiting: boolean) => {
              ctx.standingBy(waiting);
              this.quiet.working(waiting ? -1 : 1);
            };
            return await runJob(job, { ...runtime, onStandby }, controller.signal, (cleanup) => {
              const done = this.quiet.add(cleanup);
              this.cleanups.add(done);
              void done.finally(() => this.cleanups.delete(done));
            });
          } finally {
            ctx.signal.removeEventListener('abort', onAbort);
            this.running.delete(job.id);
            this.quiet.working(-1);
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
   * Runs the cleanups of finished jobs now instead of at the next quiet
   * moment, and waits for them: for a caller that wants the host idle before
   * it starts something it measures (the benchmarks).
   */
  async drain(): Promise<void> {
    await this.quiet.flush();
    await Promise.all([...this.cleanups]);
  }

  /** Stops taking jobs, aborts running ones, and waits for them to clean up. */
  async stop(): Promise<void> {
    if (currentQuietGate() === this.gate) setQuietGate(null);
    if (currentStartGate() === this.startGate) setStartGate(null);
    this.stopUpkeep?.();
    this.stopUpkeep = null;
    for (const job of this.running.values()) job.controller.abort(new Error('worker stopping'));
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    this.consumers.length = 0;
    await this.quiet.flush();
    await Promise.all([...this.cleanups]);
    await this.baselines.close();
    await this.stopControl?.();
    await this.stopRegistration?.();
  }
}

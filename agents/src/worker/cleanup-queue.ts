/** Options of {@link CleanupQueue}. */
export interface CleanupQueueOptions {
  /** A cleanup starts no sooner than this after it was queued; default 2000 ms. */
  delayMs?: number;
  /** …and only once no job started or ended for this long; default 500 ms. */
  quietMs?: number;
  /** …unless it has waited this long; default 30 s. */
  maxWaitMs?: number;
}

interface Pending {
  run: () => Promise<void>;
  queuedAt: number;
  done: () => void;
}

/**
 * Removes finished jobs' sandboxes and workspaces one at a time, when the
 * worker is quiet. Removing a container is heavy work for the Docker daemon;
 * done the moment a job ends, eight coders ending together would slow down
 * exactly what comes next: the merge, the tests, the next jobs' starts.
 */
export class CleanupQueue {
  private readonly queue: Pending[] = [];
  private lastActivity = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private flushing = false;
  private readonly delayMs: number;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;

  constructor(options: CleanupQueueOptions = {}) {
    this.delayMs = options.delayMs ?? 2000;
    this.quietMs = options.quietMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
  }

  /** Notes that a job started or ended: cleanups wait for the worker to be quiet again. */
  activity(): void {
    this.lastActivity = Date.now();
  }

  /** Queues a cleanup; the promise settles when it has run (its errors are swallowed). */
  add(run: () => Promise<void>): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ run, queuedAt: Date.now(), done });
      this.schedule();
    });
  }

  /** Runs everything queued now, one at a time, and resolves when all have run. */
  async flush(): Promise<void> {
    this.flushing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      if (this.running) await this.running;
      while (this.queue.length > 0) await this.runNext();
    } finally {
      this.flushing = false;
    }
  }

  /** Cleanups waiting to run. */
  get size(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.flushing || this.running || this.timer || this.queue.length === 0) return;
    const next = this.queue[0] as Pending;
    const now = Date.now();
    const due = Math.max(next.queuedAt + this.delayMs, this.lastActivity + this.quietMs);
    const at = Math.min(due, next.queuedAt + this.maxWaitMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      // Activity since the timer was set pushes the cleanup back again.
      const late = Date.now() >= next.queuedAt + this.maxWaitMs;
      if (!late && Date.now() < this.lastActivity + this.quietMs) {
        this.schedule();
        return;
      }
      this.running = this.runNext().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, Math.max(0, at - now));
  }

  private async runNext(): Promise<void> {
    const next = this.queue.shift();
    if (!next) return;
    await next.run().catch(() => undefined);
    next.done();
  }
}

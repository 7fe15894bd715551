/** Options of {@link QuietQueue}. */
export interface QuietQueueOptions {
  /** A cleanup starts no sooner than this after it was queued; default 500 ms. */
  delayMs?: number;
  /** …and only once every job waits on a model and nothing started, ended or replied for this long; default 500 ms. */
  quietMs?: number;
  /** …unless it has waited this long; default 30 s. */
  maxWaitMs?: number;
}

interface Pending {
  run: () => Promise<void>;
  queuedAt: number;
  done: () => void;
}

/** Work ahead waits at most this long for a quiet moment. */
const AHEAD_MAX_WAIT_MS = 2_000;

/**
 * Runs a worker's background work when the worker is quiet: every job it
 * runs waits on a model (none sets up, runs a tool or a command), and no job
 * started or ended and no model replied lately. The moments right after
 * those are when agents work and the host's few cores are busiest; the ones
 * between are spent waiting on models. Two kinds of work wait for them:
 * - cleanups ({@link add}): finished jobs' sandboxes and workspaces, removed
 *   one at a time after a delay. Removing a container is heavy work for the
 *   Docker daemon; done the moment a job ends, eight coders ending together
 *   would slow down exactly what comes next: the merge, the tests, the next
 *   jobs' starts.
 * - work ahead ({@link whenQuiet}): started all at once at the first quiet
 *   moment, e.g. a coder's hand-over while its model thinks.
 */
export class QuietQueue {
  private readonly queue: Pending[] = [];
  private busy = 0;
  private ahead: Array<{ run: () => void; since: number }> = [];
  private aheadTimer: NodeJS.Timeout | null = null;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private flushing = false;
  private readonly delayMs: number;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;

  constructor(options: QuietQueueOptions = {}) {
    this.delayMs = options.delayMs ?? 500;
    this.quietMs = options.quietMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
  }

  /** Notes that something happened (`working` calls it too): quiet starts over from now. */
  activity(): void {
    this.lastActivity = Date.now();
  }

  /**
   * Counts work going on (`+1` when a job starts or a model call returns,
   * `-1` when a job ends or waits on a model): nothing here starts while any
   * is, e.g. while a tester runs its command. Quiet begins `quietMs` after
   * the count is back to zero.
   */
  working(delta: 1 | -1): void {
    this.busy = Math.max(0, this.busy + delta);
    this.activity();
    if (this.busy > 0) return;
    // Back to zero: the waits start over from now.
    for (const timer of [this.timer, this.aheadTimer]) if (timer) clearTimeout(timer);
    this.timer = null;
    this.aheadTimer = null;
    // Work ahead first: it is what an agent may soon wait for.
    this.scheduleAhead();
    this.schedule();
  }

  private isQuiet(now: number): boolean {
    return this.busy === 0 && now >= this.lastActivity + this.quietMs;
  }

  /** Runs `run` at the next quiet moment (or after 2 s at most); what `run` starts is its own business. */
  whenQuiet(run: () => void): void {
    this.ahead.push({ run, since: Date.now() });
    this.scheduleAhead();
  }

  /** Queues a cleanup; the promise settles when it has run (its errors are swallowed). */
  add(run: () => Promise<void>): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ run, queuedAt: Date.now(), done });
      this.schedule();
    });
  }

  /** Starts the work ahead that waits, runs the cleanups queued now, one at a time, and resolves when all have run. */
  async flush(): Promise<void> {
    this.flushing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.aheadTimer) clearTimeout(this.aheadTimer);
    this.aheadTimer = null;
    this.runAhead();
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

  private scheduleAhead(): void {
    if (this.aheadTimer || this.ahead.length === 0) return;
    const oldest = Math.min(...this.ahead.map((entry) => entry.since));
    const quietAt = this.busy === 0 ? this.lastActivity + this.quietMs : Number.POSITIVE_INFINITY;
    const at = Math.min(quietAt, oldest + AHEAD_MAX_WAIT_MS);
    this.aheadTimer = setTimeout(() => {
      this.aheadTimer = null;
      const now = Date.now();
      if (!this.isQuiet(now) && now < oldest + AHEAD_MAX_WAIT_MS) {
        this.scheduleAhead();
        return;
      }
      this.runAhead();
    }, Math.max(0, at - Date.now()));
    this.aheadTimer.unref();
  }

  private runAhead(): void {
    const due = this.ahead;
    this.ahead = [];
    for (const entry of due) {
      try {
        entry.run();
      } catch {
        // work ahead is optional: whoever needs its result does the work itself
      }
    }
  }

  private schedule(): void {
    if (this.flushing || this.running || this.timer || this.queue.length === 0) return;
    const next = this.queue[0] as Pending;
    const now = Date.now();
    const quietAt = this.busy === 0 ? this.lastActivity + this.quietMs : Number.POSITIVE_INFINITY;
    const due = Math.max(next.queuedAt + this.delayMs, quietAt);
    const at = Math.min(due, next.queuedAt + this.maxWaitMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      // Activity since the timer was set pushes the cleanup back again.
      const late = Date.now() >= next.queuedAt + this.maxWaitMs;
      if (!late && !this.isQuiet(Date.now())) {
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

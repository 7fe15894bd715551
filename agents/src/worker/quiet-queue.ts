/** Options of {@link QuietQueue}. */
export interface QuietQueueOptions {
  /** A cleanup starts no sooner than this after it was queued; default 500 ms. */
  delayMs?: number;
  /** …and only once every job waits on a model and nothing started, ended or replied for this long; default 500 ms. */
  quietMs?: number;
  /** …unless it has waited this long; default 30 s. */
  maxWaitMs?: number;
  /**
   * How long a piece of background work may take (a container start, say);
   * default 400 ms. Once model calls have been timed, nothing starts when a
   * model's reply is due sooner than this: the reply would find the host busy.
   */
  workMs?: number;
}

/** How many recent model calls the reply forecast looks at. */
const MODEL_SAMPLES = 8;

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
 *
 * Model calls reported through {@link modelWait} are timed: the lower
 * quartile of the last eight is taken as how long a call takes at least, and
 * a quiet moment ends `workMs` before the first reply is due, so that
 * background work does not meet the replies (which would then wait for the
 * host).
 */
export class QuietQueue {
  private readonly queue: Pending[] = [];
  private busy = 0;
  private ahead: Array<{ run: () => void; deadline: number }> = [];
  private aheadTimer: NodeJS.Timeout | null = null;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private flushing = false;
  private readonly delayMs: number;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly workMs: number;
  /** When each outstanding model call started, by job. */
  private readonly modelWaits = new Map<string, number>();
  /** Durations of the last model calls, oldest first. */
  private readonly modelMs: number[] = [];
  /** Waiting for nothing to work (see `whenIdle`). */
  private readonly idleWaiters = new Set<() => void>();
  /** Called at every quiet moment (see `onQuietMoment`). */
  private readonly quietHooks = new Set<() => void>();
  private hookTimer: NodeJS.Timeout | null = null;

  constructor(options: QuietQueueOptions = {}) {
    this.delayMs = options.delayMs ?? 500;
    this.quietMs = options.quietMs ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.workMs = options.workMs ?? 400;
  }

  /** Notes that the job `key` starts (true) or stops (false) waiting on a model: `working(-1)` / `working(1)`, timed. */
  modelWait(key: string, waiting: boolean): void {
    const now = Date.now();
    if (waiting) {
      this.modelWaits.set(key, now);
      this.working(-1);
      return;
    }
    const since = this.modelWaits.get(key);
    this.modelWaits.delete(key);
    if (since !== undefined) {
      this.modelMs.push(now - since);
      if (this.modelMs.length > MODEL_SAMPLES) this.modelMs.shift();
    }
    this.working(1);
  }

  /**
   * Runs `run` once nothing works (every job waits on a model, or there is
   * none), on the next turn of the event loop, or after `maxWaitMs` at most:
   * for a job's own setup, which should not delay the start of the others'
   * model calls (jobs of a wave arrive together).
   */
  whenIdle(run: () => void, maxWaitMs: number): void {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.idleWaiters.delete(go);
      setImmediate(run);
    };
    const timer = setTimeout(go, maxWaitMs);
    timer.unref();
    this.idleWaiters.add(go);
    if (this.busy === 0) go();
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
    for (const go of [...this.idleWaiters]) go();
    // Back to zero: the waits start over from now.
    for (const timer of [this.timer, this.aheadTimer, this.hookTimer]) if (timer) clearTimeout(timer);
    this.timer = null;
    this.aheadTimer = null;
    this.hookTimer = null;
    // Work ahead first: it is what an agent may soon wait for.
    this.scheduleAhead();
    this.schedule();
    this.scheduleHooks();
  }

  /**
   * Calls `hook` once at each quiet moment: when the worker has been quiet
   * for `quietMs` after its work, and no model reply is due within `workMs`
   * (none when a reply is due sooner: the next moment is after it). For
   * upkeep that has no deadline of its own. Returns a function that removes
   * the hook.
   */
  onQuietMoment(hook: () => void): () => void {
    this.quietHooks.add(hook);
    this.scheduleHooks();
    return () => {
      this.quietHooks.delete(hook);
      if (this.quietHooks.size > 0 || this.hookTimer === null) return;
      clearTimeout(this.hookTimer);
      this.hookTimer = null;
    };
  }

  private scheduleHooks(): void {
    if (this.hookTimer || this.quietHooks.size === 0) return;
    const at = this.quietAt(Date.now());
    if (at === Number.POSITIVE_INFINITY) return;
    this.hookTimer = setTimeout(() => {
      this.hookTimer = null;
      // Something happened since the timer was set: the moment starts over (or waits for the next one).
      if (!this.isQuiet(Date.now())) {
        this.scheduleHooks();
        return;
      }
      for (const hook of [...this.quietHooks]) {
        try {
          hook();
        } catch {
          // upkeep is optional
        }
      }
    }, Math.max(0, at - Date.now()));
    this.hookTimer.unref();
  }

  /**
   * When the next quiet moment begins, as things stand (`now` or later), or
   * Infinity when none can before something else happens: work goes on, or
   * a model's reply is due too soon for background work to be done first.
   */
  private quietAt(now: number): number {
    if (this.busy > 0) return Number.POSITIVE_INFINITY;
    const at = Math.max(now, this.lastActivity + this.quietMs);
    if (this.modelMs.length === 0) return at;
    // The lower quartile of recent calls: one call that failed at once does not close every window.
    const short = [...this.modelMs].sort((a, b) => a - b)[Math.floor(this.modelMs.length / 4)] as number;
    for (const since of this.modelWaits.values()) if (at + this.workMs > since + short) return Number.POSITIVE_INFINITY;
    return at;
  }

  private isQuiet(now: number): boolean {
    return this.quietAt(now) <= now;
  }

  /** Runs `run` at the next quiet moment, or after `maxWaitMs` (default 2 s) at most; what `run` starts is its own business. */
  whenQuiet(run: () => void, maxWaitMs = AHEAD_MAX_WAIT_MS): void {
    this.ahead.push({ run, deadline: Date.now() + maxWaitMs });
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
    const deadline = Math.min(...this.ahead.map((entry) => entry.deadline));
    const at = Math.min(this.quietAt(Date.now()), deadline);
    this.aheadTimer = setTimeout(() => {
      this.aheadTimer = null;
      const now = Date.now();
      this.runAhead(this.isQuiet(now) ? Number.POSITIVE_INFINITY : now);
      this.scheduleAhead();
    }, Math.max(0, at - Date.now()));
    this.aheadTimer.unref();
  }

  /** Runs the work ahead whose deadline is `until` or sooner (all of it by default). */
  private runAhead(until = Number.POSITIVE_INFINITY): void {
    const due = this.ahead.filter((entry) => entry.deadline <= until);
    this.ahead = this.ahead.filter((entry) => entry.deadline > until);
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
    const due = Math.max(next.queuedAt + this.delayMs, this.quietAt(now));
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

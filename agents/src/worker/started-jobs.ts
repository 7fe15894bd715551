/**
 * The jobs a worker has started lately, for whoever waits for some of them
 * to start (see `StartGate` in `@codecrew/core`). Only the last `limit` ids
 * are kept.
 */
export class StartedJobs {
  private readonly ids = new Set<string>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly limit = 1024) {}

  /** Notes that the job `id` started. */
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Calls `run` once every job in `ids` has started, with the time left of
   * `maxWaitMs`; when that runs out first, `run` is called with 0.
   */
  whenStarted(ids: readonly string[], run: (leftMs: number) => void, maxWaitMs: number): void {
    const deadline = Date.now() + maxWaitMs;
    let done = false;
    const finish = (leftMs: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.waiters.delete(check);
      run(leftMs);
    };
    const check = () => {
      if (ids.every((id) => this.ids.has(id))) finish(Math.max(0, deadline - Date.now()));
    };
    const timer = setTimeout(() => finish(0), maxWaitMs);
    timer.unref();
    this.waiters.add(check);
    check();
  }
}

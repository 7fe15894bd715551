/**
 * Removes finished jobs' sandboxes and workspaces in the background, one at
 * a time and in the order they were queued, so that a job's result does not
 * wait for its cleanup and many jobs ending together do not all ask the
 * container runtime to remove their containers at once.
 */
export class CleanupQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /**
   * Queues `cleanup` behind the ones queued before; the promise resolves once
   * it has run. A cleanup that fails is passed over (the reaper removes what
   * it left behind), and the next one runs all the same.
   */
  add(cleanup: () => Promise<void>): Promise<void> {
    this.waiting += 1;
    const done = this.tail
      .then(() => cleanup())
      .catch(() => undefined)
      .finally(() => {
        this.waiting -= 1;
      });
    this.tail = done;
    return done;
  }

  /** Resolves once every cleanup queued so far, and any queued while it waits, has run. */
  async drain(): Promise<void> {
    while (this.waiting > 0) await this.tail;
  }

  /** Cleanups queued and not yet finished. */
  get size(): number {
    return this.waiting;
  }
}

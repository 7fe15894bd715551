/** Options of {@link WarmPool}. */
export interface WarmPoolOptions<T> {
  /** How many ready items to keep per key. */
  size: number;
  /** How many keys to keep warm; the least recently used one is dropped beyond this. */
  maxKeys?: number;
  /** Removes an item nobody will take (pool closed, key dropped). */
  discard(item: T): Promise<void>;
  /** Called when making an item fails; the pool retries on the next take. */
  onError?(error: unknown): void;
  /**
   * Wait this long after a take before making its replacement, so the
   * replacement does not compete for CPU with the first steps of the taker. Default 0.
   */
  refillDelayMs?: number;
}

interface Shelf<T> {
  key: string;
  make: () => Promise<T>;
  ready: T[];
  filling: Promise<void> | null;
  usedAt: number;
}

const DEFAULT_MAX_KEYS = 4;

/**
 * Keeps `size` ready-made items per key (e.g. started containers with one set
 * of limits), made one at a time in the background and refilled after each take.
 */
export class WarmPool<T> {
  private readonly shelves = new Map<string, Shelf<T>>();
  private closed = false;
  private clock = 0;

  constructor(private readonly options: WarmPoolOptions<T>) {}

  /** Starts keeping items of `key` ready (made by `make`); does nothing if it already does. */
  warm(key: string, make: () => Promise<T>): void {
    if (this.closed || this.options.size <= 0) return;
    let shelf = this.shelves.get(key);
    if (shelf === undefined) {
      shelf = { key, make, ready: [], filling: null, usedAt: ++this.clock };
      this.shelves.set(key, shelf);
      this.dropLeastUsed();
    }
    this.fill(shelf);
  }

  /** A ready item of `key`, or undefined when none is; taking one starts making its replacement. */
  take(key: string): T | undefined {
    const shelf = this.shelves.get(key);
    if (shelf === undefined || this.closed) return undefined;
    shelf.usedAt = ++this.clock;
    const item = shelf.ready.shift();
    this.fill(shelf, true);
    return item;
  }

  /** How many items of `key` are ready now. */
  readyCount(key: string): number {
    return this.shelves.get(key)?.ready.length ?? 0;
  }

  /** Resolves once every key has its full count ready (or its filling failed). */
  async settled(): Promise<void> {
    for (;;) {
      const filling = [...this.shelves.values()].map((s) => s.filling).filter((f): f is Promise<void> => f !== null);
      if (filling.length === 0) return;
      await Promise.all(filling);
    }
  }

  /** Stops refilling and discards every ready item. */
  async close(): Promise<void> {
    this.closed = true;
    const shelves = [...this.shelves.values()];
    this.shelves.clear();
    await Promise.all(shelves.map((s) => s.filling));
    await Promise.all(
      shelves.flatMap((s) => s.ready.splice(0).map((item) => this.options.discard(item).catch(() => undefined))),
    );
  }

  private fill(shelf: Shelf<T>, afterTake = false): void {
    if (shelf.filling !== null || shelf.ready.length >= this.options.size) return;
    shelf.filling = (async () => {
      try {
        const delayMs = afterTake ? (this.options.refillDelayMs ?? 0) : 0;
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        while (!this.closed && this.shelves.get(shelf.key) === shelf && shelf.ready.length < this.options.size) {
          if (this.closed || this.shelves.get(shelf.key) !== shelf) return;
          const item = await shelf.make();
          if (this.closed || this.shelves.get(shelf.key) !== shelf) {
            await this.options.discard(item).catch(() => undefined);
            return;
          }
          shelf.ready.push(item);
        }
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        shelf.filling = null;
      }
    })();
  }

  private dropLeastUsed(): void {
    const max = this.options.maxKeys ?? DEFAULT_MAX_KEYS;
    while (this.shelves.size > max) {
      let oldest: [string, Shelf<T>] | undefined;
      for (const entry of this.shelves) if (oldest === undefined || entry[1].usedAt < oldest[1].usedAt) oldest = entry;
      if (oldest === undefined) return;
      this.shelves.delete(oldest[0]);
      for (const item of oldest[1].ready.splice(0)) void this.options.discard(item).catch(() => undefined);
    }
  }
}

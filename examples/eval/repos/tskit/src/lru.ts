/** A map that keeps at most `capacity` entries, evicting the least recently used. */
export class LruCache<K, V> {
  // A Map iterates in insertion order: the first key is the least recently used.
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value for `key`, or undefined; counts as a use of the entry. */
  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Stores `value` as the most recently used entry, evicting the oldest when full. */
  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
    return this;
  }

  /** The keys from least to most recently used. */
  keys(): K[] {
    return [...this.entries.keys()];
  }
}

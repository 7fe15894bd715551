/**
 * A typed cache of work done at most once per key in a task run: the value is
 * made on first use and shared by every later caller. A failed attempt is
 * forgotten, so the next caller tries again and sees its own error.
 */
export class OnceMap<K, V> {
  private readonly entries = new Map<K, Promise<V>>();

  /** The value for `key`, made by `make` when there is none yet. */
  get(key: K, make: () => Promise<V>): Promise<V> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = make();
      this.entries.set(key, entry);
      entry.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    return entry;
  }
}

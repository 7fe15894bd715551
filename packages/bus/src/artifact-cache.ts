/** How many bytes of shared artifacts a process keeps by default. */
export const DEFAULT_ARTIFACT_CACHE_BYTES = 128 * 1024 * 1024;

/**
 * Shared artifacts this process has written or read, by sha256, least
 * recently used dropped first once their bytes pass the limit. A read in
 * progress is kept too, so that jobs starting together fetch a tree once.
 * The bytes handed out are shared: callers read them and never write.
 */
export class ArtifactCache {
  private readonly entries = new Map<string, Promise<Uint8Array>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_ARTIFACT_CACHE_BYTES) {}

  /** The bytes with this digest: from memory, or from `load` (once, however many ask at the same time). */
  get(sha256: string, size: number, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const held = this.entries.get(sha256);
    if (held !== undefined) {
      // Most recently used last.
      this.entries.delete(sha256);
      this.entries.set(sha256, held);
      return held;
    }
    const loading = load();
    this.hold(sha256, size, loading);
    // A failed read is not kept: the next one tries again.
    loading.catch(() => this.forget(sha256, loading));
    return loading;
  }

  /** Keeps bytes this process has just written. */
  put(sha256: string, data: Uint8Array): void {
    this.forget(sha256);
    this.hold(sha256, data.length, Promise.resolve(data));
  }

  /** Bytes held, reads in progress included. */
  get size(): number {
    return this.bytes;
  }

  private hold(sha256: string, size: number, data: Promise<Uint8Array>): void {
    // Larger than the whole cache: served, not kept.
    if (size > this.maxBytes) return;
    this.entries.set(sha256, data);
    this.sizes.set(sha256, size);
    this.bytes += size;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(sha256: string, only?: Promise<Uint8Array>): void {
    const held = this.entries.get(sha256);
    if (held === undefined || (only !== undefined && held !== only)) return;
    this.entries.delete(sha256);
    this.bytes -= this.sizes.get(sha256) ?? 0;
    this.sizes.delete(sha256);
  }
}

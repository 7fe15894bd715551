import { Writable } from 'node:stream';

/**
 * Collects a stream's bytes up to a cap, keeping the head and the tail and
 * dropping the middle, so that both how a command started and how it ended stay visible.
 */
export class OutputCap extends Writable {
  private readonly headMax: number;
  private readonly tailMax: number;
  private readonly head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  private total = 0;

  constructor(readonly maxBytes: number) {
    super();
    this.headMax = Math.ceil(maxBytes / 2);
    this.tailMax = maxBytes - this.headMax;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.push(chunk);
    callback();
  }

  /** Adds bytes (also usable without the Writable interface). */
  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headLen < this.headMax) {
      const take = Math.min(this.headMax - this.headLen, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headLen += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailMax === 0) return;
    this.tail.push(rest);
    this.tailLen += rest.length;
    while (this.tailLen > this.tailMax) {
      const first = this.tail[0];
      if (first === undefined) break;
      const excess = this.tailLen - this.tailMax;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailLen -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailLen -= excess;
      }
    }
  }

  /** True when bytes were dropped. */
  get truncated(): boolean {
    return this.total > this.maxBytes;
  }

  /** Total bytes seen, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  /** The kept text; when cut, a marker line says how many bytes were left out. */
  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    if (!this.truncated) return head + Buffer.concat(this.tail).toString('utf8');
    const cut = this.total - this.headLen - this.tailLen;
    return `${head}\n[... ${cut} bytes cut; output exceeded ${this.maxBytes} bytes ...]\n${Buffer.concat(this.tail).toString('utf8')}`;
  }
}

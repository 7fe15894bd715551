import { Worker, type WorkerOptions } from 'node:worker_threads';

/** How a request ends: the thread's reply, or null when the thread died first. */
export type HelperSettle<Reply> = (reply: Reply | null) => void;

/**
 * A worker thread that answers numbered requests (`{ id, ... }` in, one
 * `{ id, ... }` reply out). It keeps the process alive only while a request
 * waits; when the thread dies, every waiting request hears null and the
 * thread is `broken`. The thread runs plain JavaScript: no loader flags,
 * which would slow its start.
 */
export class HelperThread<Reply extends { id: number }> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, HelperSettle<Reply>>();
  private next = 0;
  broken = false;

  constructor(url: URL, options: WorkerOptions = {}) {
    this.worker = new Worker(url, { execArgv: [], ...options });
    this.worker.on('message', (reply: Reply) => this.settle(reply.id, reply));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    // After the listeners: adding a 'message' listener refs the thread's port again.
    this.worker.unref();
  }

  /** Requests waiting for their reply. */
  get load(): number {
    return this.pending.size;
  }

  /** Sends `message` under a new id, which it returns (for follow-up messages); `settle` hears how it ends. */
  request(message: Record<string, unknown>, settle: HelperSettle<Reply>): number {
    const id = this.next++;
    this.pending.set(id, settle);
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...message, id });
    return id;
  }

  /** Sends a message about a request already made; it gets no reply of its own. */
  tell(message: Record<string, unknown>): void {
    this.worker.postMessage(message);
  }

  private settle(id: number, reply: Reply | null): void {
    const waiter = this.pending.get(id);
    if (waiter === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    waiter(reply);
  }

  private fail(): void {
    this.broken = true;
    for (const id of [...this.pending.keys()]) this.settle(id, null);
  }
}

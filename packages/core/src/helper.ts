import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** How a request ends: the helper's reply, or null when the helper died first. */
export type HelperSettle<Reply> = (reply: Reply | null) => void;

/**
 * Where a helper runs. A worker thread shares this process's memory; a child
 * process of its own is small, which matters for starting programs: the
 * kernel copies the page tables of the process that starts one, so a start
 * from a process of a few hundred megabytes (a crew at work) takes two to
 * three times as long as from a small one.
 */
export type HelperKind = 'thread' | 'process';

interface Channel {
  send(message: unknown): void;
  ref(): void;
  unref(): void;
}

/** A script run as a worker thread. */
function openThread(url: URL, options: WorkerOptions, onMessage: (reply: unknown) => void, onDeath: () => void): Channel {
  const worker = new Worker(url, { execArgv: [], ...options });
  worker.on('message', onMessage);
  worker.on('error', onDeath);
  worker.on('exit', onDeath);
  return { send: (message) => worker.postMessage(message), ref: () => worker.ref(), unref: () => worker.unref() };
}

/** A script run as a child process that talks over its IPC channel (the script reads `process.on('message')`). */
function openProcess(url: URL, onMessage: (reply: unknown) => void, onDeath: () => void): Channel {
  const child: ChildProcess = fork(fileURLToPath(url), [], {
    // No loader flags (they would slow its start), no inspector; Buffers travel as they are.
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '' },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.on('message', onMessage);
  child.on('error', onDeath);
  child.on('exit', onDeath);
  child.on('disconnect', onDeath);
  const send = (message: unknown) => {
    if (!child.connected) return onDeath();
    child.send(message as object, (error) => {
      if (error) onDeath();
    });
  };
  // The child's handle never keeps this process alive; its channel does while a request waits.
  child.unref();
  return { send, ref: () => child.channel?.ref(), unref: () => child.channel?.unref() };
}

/**
 * A helper — a worker thread or a small child process — that answers
 * numbered requests (`{ id, ... }` in, one `{ id, ... }` reply out). It keeps
 * this process alive only while a request waits; when the helper dies, every
 * waiting request hears null and the helper is `broken`. It runs plain
 * JavaScript: no loader flags, which would slow its start.
 */
export class Helper<Reply extends { id: number }> {
  private readonly channel: Channel;
  private readonly pending = new Map<number, HelperSettle<Reply>>();
  private next = 0;
  broken = false;

  constructor(url: URL, options: WorkerOptions & { kind?: HelperKind } = {}) {
    const { kind = 'thread', ...workerOptions } = options;
    const onMessage = (reply: unknown) => this.settle((reply as Reply).id, reply as Reply);
    const onDeath = () => this.fail();
    this.channel = kind === 'process' ? openProcess(url, onMessage, onDeath) : openThread(url, workerOptions, onMessage, onDeath);
    // After the listeners: adding a 'message' listener refs the channel again.
    this.channel.unref();
  }

  /** Requests waiting for their reply. */
  get load(): number {
    return this.pending.size;
  }

  /** Sends `message` under a new id, which it returns (for follow-up messages); `settle` hears how it ends. */
  request(message: Record<string, unknown>, settle: HelperSettle<Reply>): number {
    const id = this.next++;
    if (this.broken) {
      queueMicrotask(() => settle(null));
      return id;
    }
    this.pending.set(id, settle);
    if (this.pending.size === 1) this.channel.ref();
    this.channel.send({ ...message, id });
    return id;
  }

  /** Sends a message about a request already made; it gets no reply of its own. */
  tell(message: Record<string, unknown>): void {
    if (!this.broken) this.channel.send(message);
  }

  private settle(id: number, reply: Reply | null): void {
    const waiter = this.pending.get(id);
    if (waiter === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.channel.unref();
    waiter(reply);
  }

  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    for (const id of [...this.pending.keys()]) this.settle(id, null);
  }
}

import { Worker } from 'node:worker_threads';
import { CodecrewError } from '../errors.ts';

/** Who owns extracted files. */
export interface ArchiveOwner {
  uid: number;
  gid: number;
}

/** The extraction thread could not run (it failed to start, died, or threads are off): extract another way. */
export class ExtractionUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractionUnavailable';
  }
}

interface Reply {
  id: number;
  error?: { message: string; code?: string; invalid: boolean };
}

type Waiter = { resolve(): void; reject(error: Error): void };

class ExtractionThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Waiter>();
  private next = 0;
  broken = false;

  constructor() {
    // Plain JavaScript: no loader flags, so the thread starts fast.
    this.worker = new Worker(new URL('./extract-thread.mjs', import.meta.url), { execArgv: [] });
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    this.worker.unref();
  }

  extract(tar: Uint8Array, dir: string, owner: ArchiveOwner | undefined): Promise<void> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, tar, dir, owner });
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error === undefined) waiter.resolve();
    else if (reply.error.invalid) waiter.reject(new CodecrewError('REPO_INVALID', `the workspace archive is not valid: ${reply.error.message}`));
    else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  }

  private fail(): void {
    this.broken = true;
    for (const waiter of this.pending.values()) waiter.reject(new ExtractionUnavailable('the extraction thread stopped'));
    this.pending.clear();
  }
}

let thread: ExtractionThread | null = null;

/**
 * Extracts a tar archive as `git archive` writes it into `dir`, an empty
 * directory no one else writes to, on a helper thread (the main thread never
 * waits on the file system); files, links and directories are given to
 * `owner` as they are written (that needs root). Rejects with REPO_INVALID
 * for a damaged archive or an unsafe member (an absolute or `..` path, a path
 * through a link of the archive, a device), with ExtractionUnavailable when
 * no thread can run (CODECREW_PROCESS_THREADS=0 turns them off), and with the
 * file system's error otherwise.
 */
export function extractArchive(tar: Uint8Array, dir: string, owner?: ArchiveOwner): Promise<void> {
  if (process.env.CODECREW_PROCESS_THREADS === '0') return Promise.reject(new ExtractionUnavailable('helper threads are turned off'));
  if (thread === null || thread.broken) {
    try {
      thread = new ExtractionThread();
    } catch (error) {
      return Promise.reject(new ExtractionUnavailable(`could not start the extraction thread: ${(error as Error).message}`));
    }
  }
  return thread.extract(tar, dir, owner);
}

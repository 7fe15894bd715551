import { CodecrewError } from '../errors.ts';
import { Helper } from '../helper.ts';

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

let thread: Helper<Reply> | null = null;

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
      thread = new Helper<Reply>(new URL('./extract-thread.mjs', import.meta.url));
    } catch (error) {
      return Promise.reject(new ExtractionUnavailable(`could not start the extraction thread: ${(error as Error).message}`));
    }
  }
  const helper = thread;
  return new Promise((resolve, reject) => {
    helper.request({ tar, dir, owner }, (reply) => {
      if (reply === null) reject(new ExtractionUnavailable('the extraction thread stopped'));
      else if (reply.error === undefined) resolve();
      else if (reply.error.invalid) reject(new CodecrewError('REPO_INVALID', `the workspace archive is not valid: ${reply.error.message}`));
      else reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
  });
}

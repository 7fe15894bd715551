import { rm } from 'node:fs/promises';

/**
 * Removes a directory tree like `rm -rf`, with Node's asynchronous `rm`: each
 * entry is unlinked on libuv's thread pool, so no call blocks this thread for
 * long. Starting an `rm` process would cost more: a spawn forks this whole
 * process synchronously, which takes longer than a workspace's removal.
 */
export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

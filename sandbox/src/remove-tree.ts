import { rm } from 'node:fs/promises';
import { runProcess } from './process/run-process.ts';

/**
 * Removes a directory tree like `rm -rf`, in a separate process: walking a
 * big tree from here would keep this process's thread busy with one call per
 * file while agents wait for it. Falls back to removing it from here.
 */
export async function removeTree(path: string): Promise<void> {
  const out = await runProcess('rm', ['-rf', '--one-file-system', '--', path], { cwd: '/' }).catch(() => null);
  if (out?.code !== 0) await rm(path, { recursive: true, force: true });
}

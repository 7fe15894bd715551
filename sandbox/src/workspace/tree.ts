import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError, runProcess } from '@codecrew/core';

/** Whether this process may hand files to another uid (only root may). */
export const canChown = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Extracts a tar archive into `dir`, files owned by this process, no absolute or `..` members. */
export async function extractTar(tar: Uint8Array, dir: string): Promise<void> {
  let out;
  try {
    out = await runProcess('tar', ['-x', '-f', '-', '-C', dir, '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir'], { cwd: dir, input: tar });
  } catch (error) {
    throw new CodecrewError('REPO_INVALID', `could not run tar: ${(error as Error).message}`, { cause: error });
  }
  if (out.code !== 0) throw new CodecrewError('REPO_INVALID', `extracting the workspace archive failed: ${out.stderr.toString('utf8').trim()}`);
}

/** Gives `path` and everything below it to uid:gid without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

import { spawn } from 'node:child_process';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError } from '@codecrew/core';

/** Whether this process may hand files to another uid (only root may). */
export const canChown = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Extracts a tar archive into `dir`, files owned by this process, no absolute or `..` members. */
export function extractTar(tar: Uint8Array, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-x', '-f', '-', '-C', dir, '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      reject(new CodecrewError('REPO_INVALID', `could not run tar: ${error.message}`, { cause: error })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new CodecrewError('REPO_INVALID', `extracting the workspace archive failed: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(tar);
  });
}

/** Gives `path` and everything below it to uid:gid without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

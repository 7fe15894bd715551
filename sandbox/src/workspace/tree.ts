import { lchown, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError, runProcess } from '@codecrew/core';

/** Whether this process may hand files to another uid (only root may). */
export const canChown = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Who owns the files of an extracted tree. */
export interface TreeOwner {
  uid: number;
  gid: number;
}

const TAR_EXTRACT = ['-x', '-f', '-', '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir'];

async function untar(tar: Uint8Array, dir: string, user?: TreeOwner) {
  try {
    return await runProcess('tar', [...TAR_EXTRACT, '-C', dir], { cwd: dir, input: tar, ...(user ? { user } : {}) });
  } catch (error) {
    throw new CodecrewError('REPO_INVALID', `could not run tar: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Extracts a tar archive into `dir` (no absolute or `..` members). With an
 * `owner` and root rights, tar runs as the owner, so the files are the
 * owner's as they are written; if the owner cannot reach `dir` (a private
 * work root), the tree is extracted by this process and handed over after.
 */
export async function extractTar(tar: Uint8Array, dir: string, owner?: TreeOwner): Promise<void> {
  if (owner !== undefined && canChown()) {
    await lchown(dir, owner.uid, owner.gid);
    const asOwner = await untar(tar, dir, owner).catch(() => null);
    if (asOwner?.code === 0) return;
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
  }
  const out = await untar(tar, dir);
  if (out.code !== 0) throw new CodecrewError('REPO_INVALID', `extracting the workspace archive failed: ${out.stderr.toString('utf8').trim()}`);
  if (owner !== undefined && canChown()) await chownTree(dir, owner.uid, owner.gid);
}

/** Gives `path` and everything below it to uid:gid without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

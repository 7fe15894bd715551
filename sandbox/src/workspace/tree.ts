import { lchown, lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodecrewError, extractArchive, isCodecrewError, runProcess } from '@codecrew/core';

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
 * Extracts a tar archive into the empty directory `dir` (no absolute or `..`
 * members), the files given to `owner` when this process may (root). It is
 * done on a helper thread (see `extractArchive`); when no thread can, `tar`
 * runs instead: as the owner, so the files are the owner's as they are
 * written, or, if the owner cannot reach `dir` (a private work root such as
 * one made by mkdtemp), as this process, the tree handed over after.
 */
export async function extractTar(tar: Uint8Array, dir: string, owner?: TreeOwner): Promise<void> {
  const extracted = await extractArchive(tar, dir, owner !== undefined && canChown() ? owner : undefined).then(
    () => true,
    (error: unknown) => {
      // A damaged or unsafe archive is refused whatever extracts it.
      if (isCodecrewError(error)) throw error;
      return false;
    },
  );
  if (extracted) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await extractWithTar(tar, dir, owner);
}

async function extractWithTar(tar: Uint8Array, dir: string, owner?: TreeOwner): Promise<void> {
  if (owner !== undefined && canChown() && (await canEnter(dirname(dir), owner))) {
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

/** Whether `owner` may pass through `dir` and every directory above it (execute permission for them on each). */
async function canEnter(dir: string, owner: TreeOwner): Promise<boolean> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current).catch(() => null);
    if (info === null) return false;
    const bit = info.uid === owner.uid ? 0o100 : info.gid === owner.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/** Gives `path` and everything below it to uid:gid without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

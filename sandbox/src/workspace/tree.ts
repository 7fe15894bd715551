import { lchown, lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { runProcess } from '../process/run-process.ts';
import { checkArchive } from './archive-members.ts';

/** Whether this process may hand files to another uid (only root may). */
export const canChown = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Who owns the files of an extracted tree. */
export interface TreeOwner {
  uid: number;
  gid: number;
}

// The directory keeps its owner and mode (`./` is a member of `tar -C dir .` archives); files get this process's umask.
const TAR_EXTRACT = ['-x', '-f', '-', '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir'];

/**
 * Extracts a tar archive into the empty directory `dir` with GNU tar, after
 * checking its members (`checkArchive`: no absolute or `..` paths, nothing
 * through a link). The files are given to `owner` when this process may
 * (root): tar runs as the owner, so the files are the owner's as they are
 * written, or, if the owner cannot reach `dir` (a private work root such as
 * one made by mkdtemp), as this process, the tree handed over after.
 */
export async function extractTar(tar: Uint8Array, dir: string, owner?: TreeOwner): Promise<void> {
  checkArchive(tar);
  const handOver = owner !== undefined && canChown() ? owner : undefined;
  const asOwner = handOver !== undefined && (await canEnter(dirname(dir), handOver));
  if (asOwner) await lchown(dir, handOver.uid, handOver.gid);
  const out = await runProcess('tar', [...TAR_EXTRACT, '-C', dir], {
    cwd: dir,
    input: tar,
    ...(asOwner ? { user: handOver } : {}),
  }).catch((error: unknown) => {
    throw new CodecrewError('REPO_INVALID', `could not run tar (apt-get install tar): ${(error as Error).message}`, {
      cause: error,
    });
  });
  if (out.code !== 0)
    throw new CodecrewError(
      'REPO_INVALID',
      `extracting the workspace archive failed: ${out.stderr.toString('utf8').trim()}`,
    );
  if (handOver !== undefined && !asOwner) await chownTree(dir, handOver.uid, handOver.gid);
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

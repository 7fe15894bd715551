import { lchown, lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { checkArchive } from './archive-members.ts';

/** Whether this process may hand files to another uid (only root may). */
export const canChown = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Who owns the files of an extracted tree. */
export interface TreeOwner {
  uid: number;
  gid: number;
}

/**
 * Extracts a tar archive into the empty directory `dir`, in this process,
 * after checking its members (`checkArchive`: only files, directories and
 * symbolic links; no absolute or `..` path; nothing through a link). As
 * `tar --no-same-owner --no-same-permissions --no-overwrite-dir` would: the
 * directory keeps its own mode, members get their header's permission bits
 * less this process's umask, and nothing existing is overwritten. Files get
 * the time of extraction, as a git checkout gives them. When this process
 * may (root), every entry, `dir` included, is given to `owner`.
 */
export async function extractTar(tar: Uint8Array, dir: string, owner?: TreeOwner): Promise<void> {
  const members = checkArchive(tar);
  const handOver = owner !== undefined && canChown() ? owner : undefined;
  const made = new Set<string>(['']);
  // Member paths and link targets are the archive's raw bytes (read as latin1): written back as bytes.
  const prefix = Buffer.from(`${dir}/`);
  const at = (rel: string): Buffer => Buffer.concat([prefix, Buffer.from(rel, 'latin1')]);
  // Parents the archive does not list (tar makes them too), with the default mode.
  const ensureParent = async (segments: string[]): Promise<void> => {
    for (let i = 1; i < segments.length; i++) {
      const rel = segments.slice(0, i).join('/');
      if (made.has(rel)) continue;
      await mkdir(at(rel)).catch(existing);
      if (handOver !== undefined) await lchown(at(rel), handOver.uid, handOver.gid);
      made.add(rel);
    }
  };
  try {
    if (handOver !== undefined) await lchown(dir, handOver.uid, handOver.gid);
    for (const member of members) {
      if (member.segments.length === 0) continue;
      const rel = member.segments.join('/');
      const path = at(rel);
      await ensureParent(member.segments);
      if (member.type === '5') {
        if (made.has(rel)) continue;
        await mkdir(path, { mode: member.mode & 0o777 }).catch(existing);
        made.add(rel);
      } else if (member.type === '2') {
        await symlink(Buffer.from(member.link, 'latin1'), path);
      } else {
        // wx: a file is created, never written over something already there.
        await writeFile(path, member.data, { mode: member.mode & 0o777, flag: 'wx' });
      }
      if (handOver !== undefined) await lchown(path, handOver.uid, handOver.gid);
    }
  } catch (error) {
    throw new CodecrewError(
      'REPO_INVALID',
      `extracting the workspace archive into ${dir} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Lets mkdir find a directory already there (`--no-overwrite-dir`); anything else is an error. */
function existing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}

/** Gives `path` and everything below it to uid:gid without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

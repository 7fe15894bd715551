import { closeSync, constants, lchownSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { checkArchive, type CheckedMember } from './archive-members.ts';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** Whether this process may hand files to another uid (only root may). */
export const canChown = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Who owns the files of an extracted tree. */
export interface TreeOwner {
  uid: number;
  gid: number;
}

// The longest the extraction holds this thread before it lets other work run.
const SLICE_MS = 4;

/**
 * Extracts a tar archive into the empty directory `dir`, in this process,
 * after checking its members (`checkArchive`: only files, directories and
 * symbolic links; no absolute or `..` path; nothing through a link). As
 * `tar --no-same-owner --no-same-permissions --no-overwrite-dir` would: the
 * directory keeps its own mode, members get their header's permission bits
 * less this process's umask, and nothing existing is overwritten. Files get
 * the time of extraction, as a git checkout gives them. When this process
 * may (root), every entry, `dir` included, is given to `owner`. The file
 * calls are direct (a small file costs a few microseconds, a round trip
 * through libuv's thread pool far more), in slices of a few milliseconds
 * between which the thread serves other work.
 */
export async function extractTar(tar: Uint8Array, dir: string, owner?: TreeOwner): Promise<void> {
  const members = checkArchive(tar);
  const handOver = owner !== undefined && canChown() ? owner : undefined;
  const made = new Set<string>(['']);
  // Member paths and link targets are the archive's raw bytes (read as latin1): written back as bytes.
  const prefix = Buffer.from(`${dir}/`);
  const at = (rel: string): Buffer => Buffer.concat([prefix, Buffer.from(rel, 'latin1')]);
  const give = (path: Buffer | string): void => {
    if (handOver !== undefined) lchownSync(path, handOver.uid, handOver.gid);
  };
  // A directory, once; parents the archive does not list (tar makes them too) get the default mode.
  const makeDir = (rel: string, mode?: number): void => {
    if (made.has(rel)) return;
    try {
      mkdirSync(at(rel), mode === undefined ? undefined : { mode });
    } catch (error) {
      // --no-overwrite-dir: a directory already there stays as it is.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    give(at(rel));
    made.add(rel);
  };
  const write = (member: CheckedMember): void => {
    const { segments } = member;
    for (let i = 1; i < segments.length; i++) makeDir(segments.slice(0, i).join('/'));
    const rel = segments.join('/');
    if (member.type === '5') return makeDir(rel, member.mode & 0o777);
    const path = at(rel);
    if (member.type === '2') symlinkSync(Buffer.from(member.link, 'latin1'), path);
    // A file is created, never written over something already there or through a link.
    else {
      const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, member.mode & 0o777);
      try {
        for (let offset = 0; offset < member.data.byteLength;) offset += writeSync(fd, member.data, offset);
      } finally {
        closeSync(fd);
      }
    }
    give(path);
  };
  try {
    give(dir);
    let sliceStart = performance.now();
    for (const member of members) {
      if (member.segments.length === 0) continue;
      write(member);
      if (performance.now() - sliceStart < SLICE_MS) continue;
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  } catch (error) {
    throw new CodecrewError(
      'REPO_INVALID',
      `extracting the workspace archive into ${dir} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Gives `path` and everything below it to uid:gid without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const info = await lstat(path);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

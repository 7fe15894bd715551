import {
  closeSync,
  constants,
  fchownSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CodecrewError, type FileSetEntry } from '@codecrew/core';
import { firstSymlink, normalizeRelative } from './confine.ts';
import { canChown } from './tree.ts';

/** Who the files written belong to. */
export interface Owner {
  uid: number;
  gid: number;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function refused(path: string, why: string): CodecrewError {
  return new CodecrewError('PATH_OUTSIDE_WORKSPACE', `cannot write ${path} into the workspace: ${why}`, {
    details: { path },
  });
}

/** The host path of a file-set entry: normalized, and no directory on its way may be a symbolic link (the entry itself may). */
function entryPath(root: string, path: string): { normal: string; abs: string } {
  const normal = normalizeRelative(path);
  if (normal === '.') throw refused(path, 'it names the workspace root');
  const link = firstSymlink(root, normal);
  if (link !== undefined && link !== normal) throw refused(path, `${link} on its way is a symbolic link`);
  return { normal, abs: join(root, normal) };
}

/** Creates the missing directories of `normal`'s parents, owned by `owner`; a parent that is not a directory is an error. */
export function makeParents(root: string, normal: string, owner: Owner): void {
  let current = root;
  for (const part of normal.split('/').slice(0, -1)) {
    current = join(current, part);
    const info = lstatOrUndefined(current);
    if (info === undefined) {
      mkdirSync(current);
      if (canChown()) lchownSync(current, owner.uid, owner.gid);
    } else if (!info.isDirectory()) {
      throw new CodecrewError(
        'TOOL_FAILED',
        `cannot create ${normal}: ${current.slice(root.length + 1)} is not a directory`,
        { details: { path: normal } },
      );
    }
  }
}

/** Removes directories left empty by a deletion, from `dir` up to (not including) `root`. */
function pruneEmpty(root: string, dir: string): void {
  for (let current = dir; current.length > root.length && current.startsWith(`${root}/`); current = dirname(current)) {
    if (readdirSync(current).length > 0) return;
    rmdirSync(current);
  }
}

/**
 * Writes a file set over a tree as git would check it out: deletions first
 * (with the directories they leave empty), then every file and link with its
 * mode, replacing whatever was at its path (a directory included). Direct
 * file calls, owned by `owner`; a path through a symbolic link is refused
 * (PATH_OUTSIDE_WORKSPACE).
 */
export function writeFileSet(root: string, entries: FileSetEntry[], owner: Owner): void {
  for (const entry of entries) {
    if (entry.data !== null) continue;
    const { abs } = entryPath(root, entry.path);
    const existing = lstatOrUndefined(abs);
    if (existing === undefined) continue;
    if (existing.isDirectory()) rmSync(abs, { recursive: true, force: true });
    else unlinkSync(abs);
    pruneEmpty(root, dirname(abs));
  }
  for (const entry of entries) {
    if (entry.data === null || entry.mode === null) continue;
    const { normal, abs } = entryPath(root, entry.path);
    makeParents(root, normal, owner);
    const existing = lstatOrUndefined(abs);
    if (existing?.isDirectory() === true) rmSync(abs, { recursive: true, force: true });
    else if (existing !== undefined) unlinkSync(abs);
    if (entry.mode === '120000') {
      symlinkSync(Buffer.from(entry.data).toString('utf8'), abs);
      if (canChown()) lchownSync(abs, owner.uid, owner.gid);
      continue;
    }
    const fd = openSync(
      abs,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      entry.mode === '100755' ? 0o755 : 0o644,
    );
    try {
      for (let offset = 0; offset < entry.data.byteLength;) offset += writeSync(fd, entry.data, offset);
      if (canChown()) fchownSync(fd, owner.uid, owner.gid);
    } finally {
      closeSync(fd);
    }
  }
}

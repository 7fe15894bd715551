// Extracts tar archives for codecrew on a helper thread, with synchronous
// file calls: a small tree is written in a few milliseconds, with no process
// to start and no wait in the file system's shared thread pool.
import { chownSync, closeSync, constants, fchownSync, futimesSync, lchownSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { TarFormatError, tarEntries } from './tar-entries.mjs';

class UnsafeMember extends Error {}

/** A member's path as its segments; only plain relative paths are accepted. */
function segmentsOf(path) {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const parts = trimmed.split('/');
  if (trimmed === '' || path.startsWith('/') || path.includes('\0') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new UnsafeMember(`member ${JSON.stringify(path)} is not a plain relative path`);
  }
  return parts;
}

/**
 * Writes the members of `archive` under `root`, an empty directory nobody
 * else writes to, as `owner` (uid, gid) when given (`root` included). Refuses absolute and
 * `..` paths, members written through or over a symbolic link of the
 * archive, and member types git never writes.
 */
function extract(archive, root, owner) {
  const umask = process.umask();
  if (owner) chownSync(root, owner.uid, owner.gid);
  const links = new Set();
  const dirs = new Set();
  const dirTimes = [];
  const ensureDir = (rel, mode, mtime) => {
    const abs = join(root, rel);
    if (!dirs.has(rel)) {
      mkdirSync(abs, mode & 0o777 & ~umask);
      if (owner) chownSync(abs, owner.uid, owner.gid);
      dirs.add(rel);
    }
    if (mtime !== null) dirTimes.push([abs, mtime]);
  };
  for (const entry of tarEntries(archive)) {
    const parts = segmentsOf(entry.path);
    for (let i = 1; i <= parts.length; i++) {
      if (links.has(parts.slice(0, i).join('/'))) throw new UnsafeMember(`member ${JSON.stringify(entry.path)} goes through or over a symbolic link`);
    }
    for (let i = 1; i < parts.length; i++) ensureDir(parts.slice(0, i).join('/'), 0o755, null);
    const rel = parts.join('/');
    const abs = join(root, rel);
    if (entry.type === '5') {
      ensureDir(rel, entry.mode, entry.mtime);
    } else if (entry.type === '0') {
      const fd = openSync(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, entry.mode & 0o777 & ~umask);
      try {
        for (let at = 0; at < entry.data.length; ) at += writeSync(fd, entry.data, at);
        if (owner) fchownSync(fd, owner.uid, owner.gid);
        futimesSync(fd, entry.mtime, entry.mtime);
      } finally {
        closeSync(fd);
      }
    } else if (entry.type === '2') {
      symlinkSync(entry.linkname, abs);
      if (owner) lchownSync(abs, owner.uid, owner.gid);
      links.add(rel);
    } else {
      throw new UnsafeMember(`member ${JSON.stringify(entry.path)} is of tar type '${entry.type}', which git archive never writes`);
    }
  }
  // Last, since writing into a directory changes its time.
  for (const [abs, mtime] of dirTimes) utimesSync(abs, mtime, mtime);
}

parentPort.on('message', ({ id, tar, dir, owner }) => {
  try {
    extract(tar, dir, owner);
    parentPort.postMessage({ id });
  } catch (error) {
    const invalid = error instanceof UnsafeMember || error instanceof TarFormatError;
    parentPort.postMessage({ id, error: { message: error.message, code: error.code, invalid } });
  }
});

import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, resolve as resolvePath, sep } from 'node:path';
import { CodecrewError } from '@codecrew/core';

function outside(relPath: string, why: string): CodecrewError {
  return new CodecrewError(
    'PATH_OUTSIDE_WORKSPACE',
    `path '${relPath}' ${why}; give a path relative to the workspace root that stays inside it`,
    { details: { path: relPath } },
  );
}

/** Normalizes a workspace-relative path to POSIX form without `.` parts; refuses absolute paths and `..` escapes. */
export function normalizeRelative(relPath: string): string {
  if (typeof relPath !== 'string') throw outside(String(relPath), 'is not a string');
  if (relPath.includes('\0')) throw outside(relPath, 'contains a NUL byte');
  if (isAbsolute(relPath) || posix.isAbsolute(relPath) || /^[A-Za-z]:[\\/]/.test(relPath)) {
    throw outside(relPath, 'is absolute');
  }
  const normal = posix.normalize(relPath.replace(/\\/g, '/'));
  if (normal === '..' || normal.startsWith('../')) throw outside(relPath, "leaves the workspace through '..'");
  const trimmed = normal.replace(/\/+$/, '');
  return trimmed === '' ? '.' : trimmed;
}

/** True when `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves a workspace-relative path to an absolute host path below `root`
 * (itself a realpath). Every existing component is checked: a symlink anywhere
 * on the way must resolve inside `root`, dangling ones included.
 */
export function confine(root: string, relPath: string): string {
  const normal = normalizeRelative(relPath);
  if (normal === '.') return root;
  let current = root;
  for (const part of normal.split('/')) {
    const next = join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      break; // the rest does not exist yet
    }
    if (!isLink) {
      current = next;
      continue;
    }
    let real: string;
    try {
      real = realpathSync(next);
    } catch {
      const target = resolvePath(dirname(next), readlinkSync(next));
      if (!isInside(root, target))
        throw outside(relPath, `goes through the symbolic link '${part}' to ${target}, outside the workspace`);
      break;
    }
    if (!isInside(root, real))
      throw outside(relPath, `goes through the symbolic link '${part}' to ${real}, outside the workspace`);
    current = real;
  }
  return join(root, normal);
}

/** The first existing symlink on the way from `root` to `relPath`, as a relative path, or undefined. */
export function firstSymlink(root: string, relPath: string): string | undefined {
  const normal = normalizeRelative(relPath);
  if (normal === '.') return undefined;
  let current = root;
  const parts = normal.split('/');
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i] ?? '');
    try {
      if (lstatSync(current).isSymbolicLink()) return parts.slice(0, i + 1).join('/');
    } catch {
      return undefined;
    }
  }
  return undefined;
}

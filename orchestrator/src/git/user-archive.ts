import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tarEntries } from '@codecrew/core';
import { GitRepo } from './repo.ts';
import type { UserRepo } from './open.ts';

/**
 * Settings that keep `git archive` verbatim when it runs in the user's
 * repository: git's default modes, no line-ending conversion, no attributes
 * file of the user's. Attributes from the repository itself (the tree's
 * .gitattributes, info/attributes) cannot be switched off from the command
 * line; {@link acceptUserArchive} turns down an archive they may have changed.
 */
const VERBATIM = ['-c', 'tar.umask=0002', '-c', 'core.autocrlf=false', '-c', 'core.attributesFile=/dev/null'];

/**
 * The archive of `ref` made in the user's repository at `path`, started
 * together with `openUserRepo` instead of after it: the base tree's archive
 * is the last thing the planner waits for, and made this way it costs no
 * extra git process on the way. Null when git says no; nothing is written
 * anywhere. Use it only through {@link acceptUserArchive}.
 */
export async function archiveUserRef(path: string, ref: string): Promise<Buffer | null> {
  if (ref.startsWith('-')) return null;
  const dir = resolve(path);
  // Attributes seen in the checkout would most likely turn the archive down: it is not made at all
  // (for a large tree, a second archive is not free).
  if (['.gitattributes', '.git/info/attributes'].some((file) => existsSync(join(dir, file)))) return null;
  const repo = new GitRepo(dir);
  const out = await repo.runBuffer([...VERBATIM, 'archive', '--format=tar', ref], { allowExitCodes: [1, 128], env: { GIT_ATTR_NOSYSTEM: '1' } }).catch(() => null);
  return out?.code === 0 ? out.stdout : null;
}

/**
 * `tar` when it holds the tree of `user.baseCommit` verbatim, as the scratch
 * repository's archive would: it names that commit (the ref did not move
 * between the two git processes) and no attributes could have applied (no
 * .gitattributes in the tree, no info/attributes in the repository).
 * Null otherwise, and the scratch repository makes the archive.
 */
export function acceptUserArchive(tar: Buffer | null, user: UserRepo): Buffer | null {
  if (tar === null || archivedCommit(tar) !== user.baseCommit) return null;
  if (existsSync(join(user.commonDir, 'info', 'attributes'))) return null;
  try {
    for (const entry of tarEntries(tar)) if (entry.path === '.gitattributes' || entry.path.endsWith('/.gitattributes')) return null;
  } catch {
    return null;
  }
  return tar;
}

const BLOCK = 512;

/** The commit `git archive` names in its global header, or null for an archive of a tree (or not git's). */
export function archivedCommit(tar: Buffer): string | null {
  if (tar.length < 2 * BLOCK || tar[156] !== 'g'.charCodeAt(0)) return null;
  const size = Number.parseInt(tar.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isSafeInteger(size) || BLOCK + size > tar.length) return null;
  const records = tar.subarray(BLOCK, BLOCK + size).toString('utf8');
  return /(?:^|\n)\d+ comment=([0-9a-f]{40,64})\n/.exec(records)?.[1] ?? null;
}

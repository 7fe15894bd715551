import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tarEntries } from '@codecrew/core';
import { GitRepo } from './repo.ts';
import { openUserRepo, type UserRepo } from './open.ts';
import { locateCheckout } from './locate.ts';

/**
 * Settings that keep `git archive` verbatim when it runs in the user's
 * repository: git's default modes, no line-ending conversion, no attributes
 * file of the user's. Attributes from the repository itself (the tree's
 * .gitattributes, info/attributes) cannot be switched off from the command
 * line; {@link acceptUserArchive} turns down an archive they may have changed.
 */
const VERBATIM = ['-c', 'tar.umask=0002', '-c', 'core.autocrlf=false', '-c', 'core.attributesFile=/dev/null'];

/**
 * The archive of `ref` made in the user's checkout whose top directory is
 * `root` (from a subdirectory, git archives that subdirectory only): the
 * base tree's archive is the last thing the planner waits for, and made this
 * way it costs no extra git process on the way; the commit it names is the
 * ref resolved (see {@link archivedCommit}). Null when git says no; nothing
 * is written anywhere. Use its files only through {@link acceptUserArchive}.
 */
export async function archiveUserRef(root: string, ref: string): Promise<Buffer | null> {
  if (ref.startsWith('-')) return null;
  const dir = resolve(root);
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

/** The user's repository resolved, and the base tree's archive when one made in the checkout can be taken. */
export interface UserSnapshot {
  user: UserRepo;
  /** The base tree's archive, verbatim (see {@link acceptUserArchive}); null when the scratch repository must make it. */
  archive: Buffer | null;
}

/**
 * Resolves `ref` (default HEAD) in the repository at or above `path` with
 * one git process in the common case: the checkout is found on disk
 * ({@link locateCheckout}) and `git archive` there names the commit it
 * archived, so the archive is both the ref's resolution and the base tree.
 * Anything unusual (a worktree, a variable that moves git's search, a ref
 * that does not archive, attributes in the checkout) goes through
 * `openUserRepo`, which also says what is wrong.
 */
export async function snapshotUserRepo(path: string, ref?: string): Promise<UserSnapshot> {
  const wanted = ref ?? 'HEAD';
  const located = locateCheckout(path);
  const tar = located === null ? null : await archiveUserRef(located.root, wanted);
  const commit = tar === null ? null : archivedCommit(tar);
  if (located === null || tar === null || commit === null) return { user: await openUserRepo(path, ref), archive: null };
  let emptyTree: boolean;
  try {
    emptyTree = tarEntries(tar).next().done === true;
  } catch {
    return { user: await openUserRepo(path, ref), archive: null };
  }
  const user: UserRepo = { repo: new GitRepo(located.root), root: located.root, commonDir: located.gitDir, baseCommit: commit, emptyTree, ref: wanted };
  return { user, archive: acceptUserArchive(tar, user) };
}

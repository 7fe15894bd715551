import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodecrewError, isCodecrewError } from '@codecrew/core';
import { identityEnv, type GitRepo } from './repo.ts';

/** The tree of `commit` as a tar archive (`git archive --format=tar`); use the scratch repo for verbatim contents. */
export async function archiveTree(repo: GitRepo, commit: string): Promise<Buffer> {
  // git's default modes whatever the user's global config says: the same bytes as an archive made in the user's repository.
  return (await repo.runBuffer(['-c', 'tar.umask=0002', 'archive', '--format=tar', commit])).stdout;
}

/** Creates a commit with `tree` and `parents`, as codecrew (or `author`). */
export async function commitTree(
  repo: GitRepo,
  tree: string,
  parents: string[],
  message: string,
  author?: { name: string; email: string },
): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
  return (await repo.run(args, { input: message, env: identityEnv(author) })).stdout.trim();
}

const CONFLICT_HINTS = ['patch does not apply', 'already exists in index', 'does not exist in index', 'patch failed'];

/**
 * Applies a unified (binary-capable) diff made against `base` in a temporary
 * index and commits the result with parent `base`; an empty patch returns `base`.
 * A patch that does not apply raises MERGE_CONFLICT with git's reason.
 */
export async function commitPatch(repo: GitRepo, base: string, patch: string, message: string): Promise<string> {
  if (patch.trim() === '') return base;
  const tmp = await mkdtemp(join(tmpdir(), 'codecrew-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(tmp, 'index') };
    await repo.run(['read-tree', base], { env });
    const body = patch.endsWith('\n') ? patch : `${patch}\n`;
    try {
      await repo.run(['apply', '--cached', '--binary', '--whitespace=nowarn', '-'], { env, input: body });
    } catch (error) {
      if (!isCodecrewError(error, 'GIT_FAILED')) throw error;
      const stderr = String(error.details?.stderr ?? '').trim();
      const conflict = CONFLICT_HINTS.some((hint) => stderr.includes(hint));
      throw new CodecrewError(
        conflict ? 'MERGE_CONFLICT' : 'GIT_FAILED',
        conflict
          ? `patch does not apply to ${base.slice(0, 12)}: ${stderr}; regenerate it against that commit`
          : `patch is not a valid git diff: ${stderr}; produce it with \`git diff --binary\``,
        { details: { base, stderr }, cause: error },
      );
    }
    const tree = (await repo.run(['write-tree'], { env })).stdout.trim();
    return await commitTree(repo, tree, [base], message);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A diff between two commits: the patch and each changed file. */
export interface CommitDiff {
  patch: string;
  files: DiffFile[];
}

/** One changed file of a diff; `status` is added | modified | deleted | typechange | ... */
export interface DiffFile {
  path: string;
  added: number;
  deleted: number;
  status: string;
  binary: boolean;
}

const STATUS_WORDS: Record<string, string> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  T: 'typechange',
  U: 'unmerged',
};

// Fixed prefixes and switches so that user config (noprefix, renames, ext diff) cannot change the patch.
const DIFF_FLAGS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--no-renames',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

/**
 * The binary-capable patch from `from` to `to`, and per-file line counts and status, from one
 * `git diff -z --raw --numstat --binary`: its raw records (status and path), then its numstat
 * records (counts and path), then an empty record, then the patch.
 */
export async function diffCommits(repo: GitRepo, from: string, to: string): Promise<CommitDiff> {
  const { stdout } = await repo.runBuffer([
    'diff',
    '-z',
    '--raw',
    '--numstat',
    '--binary',
    ...DIFF_FLAGS,
    from,
    to,
    '--',
  ]);
  const statuses = new Map<string, string>();
  const files: DiffFile[] = [];
  let at = 0;
  const next = (): string => {
    const end = stdout.indexOf(0, at);
    const record = stdout.toString('utf8', at, end === -1 ? stdout.length : end);
    at = end === -1 ? stdout.length : end + 1;
    return record;
  };
  while (at < stdout.length) {
    const record = next();
    if (record === '') break;
    if (record.startsWith(':')) {
      const letter = record.slice(record.lastIndexOf(' ') + 1).charAt(0);
      statuses.set(next(), STATUS_WORDS[letter] ?? letter.toLowerCase());
      continue;
    }
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
    if (match === null) continue;
    const [, add = '-', del = '-', path = ''] = match;
    const binary = add === '-' && del === '-';
    files.push({
      path,
      added: binary ? 0 : Number(add),
      deleted: binary ? 0 : Number(del),
      status: statuses.get(path) ?? 'modified',
      binary,
    });
  }
  return { patch: stdout.toString('utf8', at), files };
}

/** The paths of every file (and link) in the tree of `commit`, repository-relative. */
export async function listTreeFiles(repo: GitRepo, commit: string): Promise<string[]> {
  const { stdout } = await repo.runBuffer(['ls-tree', '-r', '-z', '--name-only', commit]);
  return stdout
    .toString('utf8')
    .split('\0')
    .filter((path) => path !== '');
}

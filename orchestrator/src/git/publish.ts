import { CodecrewError, branchNameProblem } from '@codecrew/core';
import { GitRepo, identityEnv } from './repo.ts';

/** Options for {@link publishBranch}. */
export interface PublishOptions {
  scratch: GitRepo;
  userRepoRoot: string;
  /** The commit the job started from; the parent of the published commit. */
  base: string;
  /** The final tree, or the final integration commit (its tree is used). */
  tree: string;
  branch: string;
  message: string;
  author?: { name: string; email: string };
  /**
   * Advance `branch` instead of creating a new one: it must still point at this commit (a
   * follow-up's parent result, which is also `base`); BRANCH_MOVED otherwise, and nothing changes.
   */
  advanceFrom?: string;
}

const MAX_SUFFIX = 100;
/** git's transfer.unpackLimit default. */
const UNPACK_LIMIT = 100;
const PUBLISH_REFLOG = 'codecrew: publish';

/**
 * Copies into the user's repository the objects of `commit` that only the
 * scratch repository has (a pack of them, unpacked there), changing no ref:
 * afterwards a commit of that tree can be made there directly. Objects no
 * branch ends up using are left for git's garbage collection.
 */
export async function stageObjects(
  scratch: GitRepo,
  userRepoRoot: string,
  commit: string,
  base: string,
): Promise<void> {
  // --local: objects the scratch repository borrows from the user's are there already.
  const pack = await scratch.runBuffer(['pack-objects', '--revs', '--local', '--stdout', '-q'], {
    input: `${commit}\n^${base}\n`,
  });
  // As git's own receive does: a few objects are written loose, many are kept as the pack.
  const count = pack.stdout.length >= 12 ? pack.stdout.readUInt32BE(8) : 0;
  if (count === 0) return;
  const store = count > UNPACK_LIMIT ? ['index-pack', '--stdin'] : ['unpack-objects', '-q'];
  await new GitRepo(userRepoRoot).runBuffer(store, { input: pack.stdout });
}

/**
 * Publishes the result as ONE commit (parent `base`) on a new branch of the user's
 * repository, leaving its working tree, index, HEAD and current branch alone. An
 * existing branch is never overwritten: `<branch>-2`, `-3`, ... is used instead.
 */
export async function publishBranch(opts: PublishOptions): Promise<{ branch: string; commit: string }> {
  const user = new GitRepo(opts.userRepoRoot);
  requireBranchName(opts.branch);
  await stageObjects(opts.scratch, opts.userRepoRoot, opts.tree, opts.base);
  const args = ['commit-tree', '--no-gpg-sign', `${opts.tree}^{tree}`, '-p', opts.base, '-F', '-'];
  if (opts.advanceFrom !== undefined) await requireBranchAt(user, opts.userRepoRoot, opts.branch, opts.advanceFrom);
  const commit = (await user.run(args, { input: opts.message, env: identityEnv(opts.author) })).stdout.trim();
  if (opts.advanceFrom !== undefined) {
    await advanceBranch(user, opts.userRepoRoot, opts.branch, opts.advanceFrom, commit);
    return { branch: opts.branch, commit };
  }
  return { branch: await createBranch(user, opts.userRepoRoot, opts.branch, commit), commit };
}

function branchMoved(repoRoot: string, branch: string, expected: string, actual: string | null): CodecrewError {
  const where = actual === null ? 'no longer exists' : `now points at ${actual.slice(0, 10)}`;
  return new CodecrewError(
    'BRANCH_MOVED',
    `branch ${branch} in ${repoRoot} ${where}, not at ${expected.slice(0, 10)} where the earlier task left it; nothing was committed. Follow up the task that made the branch's current commit, or move the branch back`,
    { details: { branch, expected, actual } },
  );
}

/** The commit `branch` points at in the repository, or null when there is no such branch. */
export async function branchCommit(repoRoot: string, branch: string): Promise<string | null> {
  const res = await new GitRepo(repoRoot).run(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
    allowExitCodes: [1, 128],
  });
  return res.code === 0 ? res.stdout.trim() : null;
}

/** BRANCH_MOVED unless `branch` points at `expected`. */
export async function requireBranchAt(
  user: GitRepo,
  repoRoot: string,
  branch: string,
  expected: string,
): Promise<void> {
  const actual = await branchCommit(user.dir, branch);
  if (actual !== expected) throw branchMoved(repoRoot, branch, expected, actual);
}

/** Moves `branch` from `from` to `commit` atomically: BRANCH_MOVED, changing nothing, when it is not at `from`. */
async function advanceBranch(user: GitRepo, repoRoot: string, branch: string, from: string, commit: string) {
  const ref = `refs/heads/${branch}`;
  // The old value makes git refuse when someone moved the branch since it was checked.
  const moved = await user.run(['update-ref', '-m', PUBLISH_REFLOG, ref, commit, from], { allowExitCodes: [1, 128] });
  if (moved.code === 0) return;
  const actual = await branchCommit(user.dir, branch);
  if (actual !== from) throw branchMoved(repoRoot, branch, from, actual);
  throw new CodecrewError(
    'GIT_FAILED',
    `could not move branch ${branch} in ${repoRoot}: ${moved.stderr.trim()}; check that the repository is writable`,
    { details: { branch, stderr: moved.stderr } },
  );
}

/** Creates `branch` (or the first free `<branch>-N`) at `commit`; returns the name used. */
async function createBranch(user: GitRepo, repoRoot: string, branch: string, commit: string): Promise<string> {
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const name = n === 1 ? branch : `${branch}-${n}`;
    const ref = `refs/heads/${name}`;
    // An empty old value means "the ref must not exist": a branch made meanwhile is never overwritten.
    const created = await user.run(['update-ref', '-m', PUBLISH_REFLOG, ref, commit, ''], { allowExitCodes: [1, 128] });
    if (created.code === 0) return name;
    if (await refExists(user, ref)) continue;
    throw new CodecrewError(
      'GIT_FAILED',
      `could not create branch ${name} in ${repoRoot}: ${created.stderr.trim()}; check that the repository is writable`,
      { details: { branch: name, stderr: created.stderr } },
    );
  }
  throw new CodecrewError(
    'GIT_FAILED',
    `branches ${branch} to ${branch}-${MAX_SUFFIX} all exist in ${repoRoot}; choose another output branch name`,
    { details: { branch } },
  );
}

async function refExists(repo: GitRepo, ref: string): Promise<boolean> {
  const res = await repo.run(['show-ref', '--verify', '--quiet', ref], { allowExitCodes: [1] });
  return res.code === 0;
}

function invalidBranch(branch: string, why: string): CodecrewError {
  return new CodecrewError(
    'SPEC_INVALID',
    `'${branch}' is not a valid branch name (${why}); use letters, digits, '-', '_', '/' and '.' (see \`git check-ref-format\`)`,
    { details: { branch } },
  );
}

/**
 * Throws SPEC_INVALID unless `branch` follows git's branch-name rules, checked in this process
 * ({@link branchNameProblem}): the guard of every step that writes the branch.
 */
export function requireBranchName(branch: string): void {
  const problem = branchNameProblem(branch);
  if (problem !== null) throw invalidBranch(branch, problem);
}

/**
 * Throws SPEC_INVALID unless `branch` is a name git accepts for a new branch of the repository at `repoRoot`:
 * the rules in this process, then git's own `check-ref-format`. Run once, before a task starts.
 */
export async function validateBranchName(repoRoot: string, branch: string): Promise<void> {
  requireBranchName(branch);
  const checked = await new GitRepo(repoRoot).run(['check-ref-format', '--branch', branch], {
    allowExitCodes: [1, 128],
  });
  if (checked.code !== 0) throw invalidBranch(branch, 'git check-ref-format refuses it');
}

import { CodecrewError } from '@codecrew/core';
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
  await validateBranchName(opts.userRepoRoot, opts.branch);
  await stageObjects(opts.scratch, opts.userRepoRoot, opts.tree, opts.base);
  const args = ['commit-tree', '--no-gpg-sign', `${opts.tree}^{tree}`, '-p', opts.base, '-F', '-'];
  const commit = (await user.run(args, { input: opts.message, env: identityEnv(opts.author) })).stdout.trim();
  return { branch: await createBranch(user, opts.userRepoRoot, opts.branch, commit), commit };
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

/** Throws SPEC_INVALID unless `branch` is a name git accepts for a new branch of the repository at `repoRoot`. */
export async function validateBranchName(repoRoot: string, branch: string): Promise<void> {
  const repo = new GitRepo(repoRoot);
  const ok =
    !branch.startsWith('-') &&
    !branch.includes('@{') &&
    (await repo.run(['check-ref-format', '--branch', branch], { allowExitCodes: [1, 128] })).code === 0;
  if (!ok) {
    throw new CodecrewError(
      'SPEC_INVALID',
      `'${branch}' is not a valid branch name; use letters, digits, '-', '_', '/' and '.' (see \`git check-ref-format\`)`,
      { details: { branch } },
    );
  }
}

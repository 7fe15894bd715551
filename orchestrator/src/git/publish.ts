import { CodecrewError } from '@codecrew/core';
import { GitRepo } from './repo.ts';
import { commitTree } from './tree.ts';

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

/**
 * Publishes the result as ONE commit (parent `base`) on a new branch of the user's
 * repository, leaving its working tree, index, HEAD and current branch alone. An
 * existing branch is never overwritten: `<branch>-2`, `-3`, ... is used instead.
 */
export async function publishBranch(opts: PublishOptions): Promise<{ branch: string; commit: string }> {
  const user = new GitRepo(opts.userRepoRoot);
  await validateBranchName(user, opts.branch);
  const commit = await commitTree(opts.scratch, `${opts.tree}^{tree}`, [opts.base], opts.message, opts.author);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const name = n === 1 ? opts.branch : `${opts.branch}-${n}`;
    const ref = `refs/heads/${name}`;
    if (await refExists(user, ref)) continue;
    // An empty lease means "the ref must not exist": a branch made meanwhile is never overwritten.
    const pushed = await opts.scratch.run(
      ['push', '--quiet', '--no-verify', `--force-with-lease=${ref}:`, opts.userRepoRoot, `${commit}:${ref}`],
      { allowExitCodes: [1, 128] },
    );
    if (pushed.code === 0) return { branch: name, commit };
    if (await refExists(user, ref)) continue;
    throw new CodecrewError(
      'GIT_FAILED',
      `could not create branch ${name} in ${opts.userRepoRoot}: ${pushed.stderr.trim()}; check that the repository is writable`,
      { details: { branch: name, stderr: pushed.stderr } },
    );
  }
  throw new CodecrewError(
    'GIT_FAILED',
    `branches ${opts.branch} to ${opts.branch}-${MAX_SUFFIX} all exist in ${opts.userRepoRoot}; choose another output branch name`,
    { details: { branch: opts.branch } },
  );
}

async function refExists(repo: GitRepo, ref: string): Promise<boolean> {
  const res = await repo.run(['show-ref', '--verify', '--quiet', ref], { allowExitCodes: [1] });
  return res.code === 0;
}

async function validateBranchName(repo: GitRepo, branch: string): Promise<void> {
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

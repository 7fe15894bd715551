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
export async function stageObjects(scratch: GitRepo, userRepoRoot: string, commit: string, base: string): Promise<void> {
  // --local: objects the scratch repository borrows from the user's are there already.
  const pack = await scratch.runBuffer(['pack-objects', '--revs', '--local', '--stdout', '-q'], { input: `${commit}\n^${base}\n` });
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
 * Pass `staged` when {@link stageObjects} already ran (or runs) for `tree`.
 */
export async function publishBranch(
  opts: PublishOptions & { staged?: Promise<void>; nameChecked?: Promise<void> },
): Promise<{ branch: string; commit: string }> {
  const user = new GitRepo(opts.userRepoRoot);
  await Promise.all([
    opts.nameChecked ?? validateBranchName(opts.userRepoRoot, opts.branch),
    opts.staged ?? stageObjects(opts.scratch, opts.userRepoRoot, opts.tree, opts.base),
  ]);
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

/** A branch commit made ready ahead of the message it will carry: see {@link preparePublish}. */
export interface PreparedPublish {
  /** The tree (or commit) it was prepared for. */
  readonly tree: string;
  /** Commits the tree with `message` and creates the branch, as {@link publishBranch} does. */
  publish(message: string): Promise<{ branch: string; commit: string }>;
  /** Stops the git processes waiting for their input; nothing is written. Harmless after `publish`. */
  cancel(): void;
}

interface Settable<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function settable<T>(): Settable<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Starts the two git processes of {@link publishBranch} before the commit
 * message is known (`commit-tree` once the objects are staged, and
 * `update-ref --stdin`), each waiting for its input, so that publishing
 * later costs no process start. Every prepared publish must end with
 * `publish` or `cancel`: a waiting process lives until then.
 */
export function preparePublish(opts: Omit<PublishOptions, 'message'> & { staged?: Promise<void>; nameChecked?: Promise<void> }): PreparedPublish {
  const user = new GitRepo(opts.userRepoRoot);
  const message = settable<string>();
  const refUpdate = settable<string>();
  let cancelled = false;
  const ready = Promise.all([
    opts.nameChecked ?? validateBranchName(opts.userRepoRoot, opts.branch),
    opts.staged ?? stageObjects(opts.scratch, opts.userRepoRoot, opts.tree, opts.base),
  ]);
  // commit-tree reads the tree as it starts, so it starts once the objects are there.
  const commit = ready.then(async () => {
    if (cancelled) throw new CodecrewError('CANCELLED', 'the prepared publish was cancelled');
    const args = ['commit-tree', '--no-gpg-sign', `${opts.tree}^{tree}`, '-p', opts.base, '-F', '-'];
    return (await user.run(args, { input: message.promise, env: identityEnv(opts.author) })).stdout.trim();
  });
  commit.catch(() => undefined);
  const created = user.run(['update-ref', '-m', PUBLISH_REFLOG, '--stdin'], { input: refUpdate.promise, allowExitCodes: [1, 128] });
  created.catch(() => undefined);
  const cancel = (reason: unknown) => {
    cancelled = true;
    message.reject(reason);
    refUpdate.reject(reason);
  };
  return {
    tree: opts.tree,
    async publish(text) {
      message.resolve(text);
      let id: string;
      try {
        id = await commit;
      } catch (error) {
        cancel(error);
        throw error;
      }
      // "create" fails when the branch exists: then the one-at-a-time path finds a free name.
      refUpdate.resolve(`create refs/heads/${opts.branch} ${id}\n`);
      const result = await created;
      if (result.code === 0) return { branch: opts.branch, commit: id };
      return { branch: await createBranch(user, opts.userRepoRoot, opts.branch, id), commit: id };
    },
    cancel() {
      cancel(new CodecrewError('CANCELLED', 'the prepared publish was cancelled'));
    },
  };
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

import { mkdirSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CodecrewError, isCodecrewError } from '@codecrew/core';
import { GitRepo } from './repo.ts';

/** A user's repository, resolved to the commit codecrew works from. */
export interface UserRepo {
  repo: GitRepo;
  root: string;
  /** The repository's common git dir (absolute): where its objects live, shared by its worktrees. */
  commonDir: string;
  baseCommit: string;
  /** Whether the base commit has no files. */
  emptyTree: boolean;
  ref: string;
}

/** The id of the empty tree, in SHA-1 and SHA-256 repositories. */
const EMPTY_TREES = new Set([
  '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321',
]);

/** Whether `tree` is the empty tree (a commit with no files). */
export function isEmptyTree(tree: string): boolean {
  return EMPTY_TREES.has(tree);
}

/**
 * Opens the git repository at (or above) `path` and resolves `ref` (default HEAD)
 * to a commit, without writing anything into it.
 */
export async function openUserRepo(path: string, ref = 'HEAD'): Promise<UserRepo> {
  const abs = resolve(path);
  const probe = new GitRepo(abs);
  // One process answers everything when all is well, and it is asked first: its request leaves in this
  // tick, before the caller's synchronous work (a task run opens its checkpoints meanwhile). Otherwise the
  // probes below say what is wrong. Two revisions need rev-parse without --verify, where --end-of-options
  // is echoed: a ref that looks like an option takes the probes' path, which reports it.
  const args = [
    'rev-parse',
    '--path-format=absolute',
    '--show-toplevel',
    '--git-common-dir',
    `${ref}^{commit}`,
    `${ref}^{tree}`,
  ];
  const noAnswer = { code: 128, stdout: '', stderr: '' };
  // git cannot start in a missing directory, which looks like git missing (ENOENT either way): the path is checked first.
  let failure: unknown = null;
  const answer = ref.startsWith('-')
    ? noAnswer
    : await probe.run(args, { allowExitCodes: [1, 128] }).catch((error: unknown) => ((failure = error), noAnswer));
  const [root = '', commonDir = '', commit = '', tree = ''] = answer.stdout.split('\n');
  const objectId = /^[0-9a-f]{40,64}$/;
  if (answer.code === 0 && objectId.test(commit) && objectId.test(tree)) {
    return { repo: new GitRepo(root), root, commonDir, baseCommit: commit, emptyTree: isEmptyTree(tree), ref };
  }
  const info = await stat(abs).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new CodecrewError(
      'REPO_INVALID',
      `repository path ${abs} is not a directory; point spec.repo.path at a git checkout`,
      {
        details: { path: abs },
      },
    );
  }
  if (failure !== null) throw failure;
  const top = await probe.run(['rev-parse', '--show-toplevel'], { allowExitCodes: [128] });
  if (top.code !== 0) {
    throw new CodecrewError(
      'REPO_INVALID',
      `${abs} is not inside a git repository; run \`git init\` and commit your files, or point spec.repo.path at a git checkout`,
      { details: { path: abs, stderr: top.stderr } },
    );
  }
  await resolveCommit(probe, ref);
  throw new CodecrewError(
    'REPO_INVALID',
    `could not resolve ${ref} in ${abs} (${answer.stderr.trim() || 'unexpected answer from git rev-parse'}); run \`git -C ${abs} rev-parse ${ref}\` to see what git says`,
    {
      details: { path: abs, ref, stdout: answer.stdout },
    },
  );
}

/**
 * Whether the working tree or index of the repository at `root` differ from
 * its HEAD. Informational only: codecrew works from a commit. Never writes
 * (`--no-optional-locks`: `status` must not refresh the user's index).
 */
export async function hasUncommittedChanges(root: string): Promise<boolean> {
  const status = await new GitRepo(root).run(['--no-optional-locks', 'status', '--porcelain']);
  return status.stdout.trim() !== '';
}

async function resolveCommit(repo: GitRepo, ref: string): Promise<string> {
  try {
    return await repo.revParse(`${ref}^{commit}`);
  } catch (error) {
    if (!isCodecrewError(error, 'REPO_INVALID')) throw error;
    const hasCommits =
      (await repo.run(['rev-parse', '--verify', '--quiet', 'HEAD'], { allowExitCodes: [1, 128] })).code === 0;
    const message =
      ref === 'HEAD' && !hasCommits
        ? `repository ${repo.dir} has no commits yet; commit your files first (\`git add -A && git commit\`)`
        : `ref '${ref}' does not name a commit in ${repo.dir}; use an existing branch, tag or commit (see \`git branch -a\`)`;
    throw new CodecrewError('REPO_INVALID', message, { details: { ref, root: repo.dir }, cause: error });
  }
}

/**
 * Creates a bare scratch repository at `scratchDir` that borrows the user's
 * objects (from `userCommonDir`, see {@link UserRepo.commonDir}) through
 * `objects/info/alternates`: it reads every user commit at no copying cost
 * and never writes into the user's repository. Its archives hold each file
 * exactly as committed (the tree's export attributes are ignored). Written
 * directly: a bare repository is a handful of files, not worth a process.
 */
export async function createScratchRepo(userCommonDir: string, scratchDir: string): Promise<GitRepo> {
  const abs = resolve(scratchDir);
  // A handful of tiny files: written at once (the file system's thread pool may be busy with other work).
  for (const dir of ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags', 'info'])
    mkdirSync(join(abs, dir), { recursive: true });
  writeFileSync(join(abs, 'HEAD'), 'ref: refs/heads/main\n');
  // Never gc here: a scratch repo must not repack or prune borrowed objects.
  writeFileSync(
    join(abs, 'config'),
    '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n[gc]\n\tauto = 0\n',
  );
  writeFileSync(join(abs, 'objects', 'info', 'alternates'), `${join(resolve(userCommonDir), 'objects')}\n`);
  // Archives must carry the commit's files verbatim: info/attributes outranks the tree's
  // .gitattributes, so export-ignore, export-subst, eol conversion and filters are switched off.
  writeFileSync(join(abs, 'info', 'attributes'), '* -export-ignore -export-subst -text !eol -filter -ident\n');
  return new GitRepo(abs);
}

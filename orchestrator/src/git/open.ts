import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CodecrewError, isCodecrewError } from '@codecrew/core';
import { GitRepo } from './repo.ts';

/** A user's repository, resolved to the commit codecrew works from. */
export interface UserRepo {
  repo: GitRepo;
  root: string;
  baseCommit: string;
  ref: string;
  /** Uncommitted changes exist; informational only, codecrew works from `baseCommit`. */
  dirty: boolean;
}

/**
 * Opens the git repository at (or above) `path` and resolves `ref` (default HEAD)
 * to a commit, without writing anything into it.
 */
export async function openUserRepo(path: string, ref = 'HEAD'): Promise<UserRepo> {
  const abs = resolve(path);
  const info = await stat(abs).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new CodecrewError('REPO_INVALID', `repository path ${abs} is not a directory; point spec.repo.path at a git checkout`, {
      details: { path: abs },
    });
  }
  const probe = new GitRepo(abs);
  // All three at once; a path outside any repository is reported by the first.
  // --no-optional-locks: `status` must not refresh (write) the user's index.
  const [top, commit, status] = await Promise.allSettled([
    probe.run(['rev-parse', '--show-toplevel'], { allowExitCodes: [128] }),
    resolveCommit(probe, ref),
    probe.run(['--no-optional-locks', 'status', '--porcelain']),
  ]);
  if (top.status === 'rejected') throw top.reason;
  if (top.value.code !== 0) {
    throw new CodecrewError(
      'REPO_INVALID',
      `${abs} is not inside a git repository; run \`git init\` and commit your files, or point spec.repo.path at a git checkout`,
      { details: { path: abs, stderr: top.value.stderr } },
    );
  }
  if (commit.status === 'rejected') throw commit.reason;
  if (status.status === 'rejected') throw status.reason;
  const root = top.value.stdout.trim();
  const repo = new GitRepo(root);
  return { repo, root, baseCommit: commit.value, ref, dirty: status.value.stdout.trim() !== '' };
}

async function resolveCommit(repo: GitRepo, ref: string): Promise<string> {
  try {
    return await repo.revParse(`${ref}^{commit}`);
  } catch (error) {
    if (!isCodecrewError(error, 'REPO_INVALID')) throw error;
    const hasCommits = (await repo.run(['rev-parse', '--verify', '--quiet', 'HEAD'], { allowExitCodes: [1, 128] })).code === 0;
    const message =
      ref === 'HEAD' && !hasCommits
        ? `repository ${repo.dir} has no commits yet; commit your files first (\`git add -A && git commit\`)`
        : `ref '${ref}' does not name a commit in ${repo.dir}; use an existing branch, tag or commit (see \`git branch -a\`)`;
    throw new CodecrewError('REPO_INVALID', message, { details: { ref, root: repo.dir }, cause: error });
  }
}

/**
 * Creates a bare scratch repository at `scratchDir` that borrows the user's
 * objects through `objects/info/alternates`: it reads every user commit at no
 * copying cost and never writes into the user's repository. Its archives hold
 * each file exactly as committed (the tree's export attributes are ignored).
 */
export async function createScratchRepo(userRepoRoot: string, scratchDir: string): Promise<GitRepo> {
  const user = new GitRepo(resolve(userRepoRoot));
  const abs = resolve(scratchDir);
  await mkdir(abs, { recursive: true });
  const scratch = new GitRepo(abs);
  const [common] = await Promise.all([
    user.run(['rev-parse', '--path-format=absolute', '--git-common-dir']).then((r) => r.stdout.trim()),
    scratch.run(['init', '--bare', '--quiet', '--template=', '.']),
  ]);
  // Never gc here: a scratch repo must not repack or prune borrowed objects.
  await appendFile(join(abs, 'config'), '[gc]\n\tauto = 0\n');
  await mkdir(join(abs, 'objects', 'info'), { recursive: true });
  await writeFile(join(abs, 'objects', 'info', 'alternates'), `${join(common, 'objects')}\n`);
  // Archives must carry the commit's files verbatim: info/attributes outranks the tree's
  // .gitattributes, so export-ignore, export-subst, eol conversion and filters are switched off.
  await mkdir(join(abs, 'info'), { recursive: true });
  await writeFile(join(abs, 'info', 'attributes'), '* -export-ignore -export-subst -text !eol -filter -ident\n');
  return scratch;
}

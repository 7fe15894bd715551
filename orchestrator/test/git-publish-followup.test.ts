import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { branchCommit, commitPatch, createScratchRepo, publishBranch, type GitRepo } from '../src/git/index.ts';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();
}

const patchOf = (file: string, line: string) =>
  `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1 @@\n+${line}\n`;

describe('publishBranch of a follow-up (advanceFrom)', () => {
  let root: string;
  let user: string;
  let base: string;
  let scratch: GitRepo;
  /** The first task's published commit on codecrew/feature. */
  let first: string;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-publish-followup-'));
    user = join(root, 'user');
    mkdirSync(user);
    git(user, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(user, 'app.txt'), 'v1\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'base');
    base = git(user, 'rev-parse', 'HEAD');
    scratch = await createScratchRepo(join(user, '.git'), join(root, 'scratch'));
    const tree = await commitPatch(scratch, base, patchOf('one.txt', 'one'), 'first');
    first = (
      await publishBranch({
        scratch,
        userRepoRoot: user,
        base,
        tree,
        branch: 'codecrew/feature',
        message: 'first task\n',
      })
    ).commit;
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('adds the follow-up commit on the same branch, after the parent commit', async () => {
    const tree = await commitPatch(scratch, first, patchOf('two.txt', 'two'), 'second');
    const published = await publishBranch({
      scratch,
      userRepoRoot: user,
      base: first,
      tree,
      branch: 'codecrew/feature',
      message: 'follow-up\n',
      advanceFrom: first,
    });
    expect(published.branch).toBe('codecrew/feature');
    expect(git(user, 'log', '--format=%H %s', 'codecrew/feature')).toBe(
      [`${published.commit} follow-up`, `${first} first task`, `${base} base`].join('\n'),
    );
    expect(git(user, 'show', 'codecrew/feature:two.txt')).toBe('two');
    expect(git(user, 'branch', '--list', 'codecrew/feature-*')).toBe('');
  });

  it('refuses with BRANCH_MOVED and changes nothing when the branch no longer points at the parent commit', async () => {
    git(user, 'branch', '-f', 'codecrew/feature', base);
    const tree = await commitPatch(scratch, first, patchOf('two.txt', 'two'), 'second');
    const refs = git(user, 'for-each-ref', '--format=%(refname) %(objectname)');
    const error = await publishBranch({
      scratch,
      userRepoRoot: user,
      base: first,
      tree,
      branch: 'codecrew/feature',
      message: 'follow-up\n',
      advanceFrom: first,
    }).catch((caught: unknown) => caught);
    expect(isCodecrewError(error, 'BRANCH_MOVED')).toBe(true);
    expect((error as Error).message).toContain(`now points at ${base.slice(0, 10)}`);
    expect(git(user, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(refs);
    expect(await branchCommit(user, 'codecrew/feature')).toBe(base);
  });

  it('refuses with BRANCH_MOVED when the branch was deleted', async () => {
    git(user, 'branch', '-D', 'codecrew/feature');
    const tree = await commitPatch(scratch, first, patchOf('two.txt', 'two'), 'second');
    const error = await publishBranch({
      scratch,
      userRepoRoot: user,
      base: first,
      tree,
      branch: 'codecrew/feature',
      message: 'follow-up\n',
      advanceFrom: first,
    }).catch((caught: unknown) => caught);
    expect(isCodecrewError(error, 'BRANCH_MOVED')).toBe(true);
    expect(await branchCommit(user, 'codecrew/feature')).toBeNull();
  });
});

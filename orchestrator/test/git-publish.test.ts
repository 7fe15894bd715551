import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitBlobId } from '@codecrew/core';
import { commitChain, commitPatch, createScratchRepo, publishBranch, type GitRepo } from '../src/git/index.ts';

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

/** Everything about the user's checkout that publishing must leave alone. */
function snapshot(dir: string): Record<string, string> {
  return {
    head: readFileSync(join(dir, '.git', 'HEAD'), 'utf8'),
    headSha: git(dir, 'rev-parse', 'HEAD'),
    branch: git(dir, 'symbolic-ref', 'HEAD'),
    index: readFileSync(join(dir, '.git', 'index')).toString('base64'),
    status: git(dir, 'status', '--porcelain'),
    file: readFileSync(join(dir, 'app.txt'), 'utf8'),
    staged: git(dir, 'diff', '--cached'),
  };
}

describe('publishBranch', () => {
  let root: string;
  let user: string;
  let base: string;
  let scratch: GitRepo;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-git-publish-'));
    user = join(root, 'user');
    mkdirSync(user);
    git(user, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(user, 'app.txt'), 'v1\n');
    writeFileSync(join(user, 'staged.txt'), 's1\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'base');
    base = git(user, 'rev-parse', 'HEAD');
    scratch = await createScratchRepo(join(user, '.git'), join(root, 'scratch'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates one commit on a new branch and leaves worktree, index, HEAD and branch alone', async () => {
    // The user keeps working meanwhile: an unstaged edit and a staged one.
    writeFileSync(join(user, 'app.txt'), 'local uncommitted edit\n');
    writeFileSync(join(user, 'staged.txt'), 's2\n');
    git(user, 'add', 'staged.txt');
    const before = snapshot(user);

    const patch = 'diff --git a/app.txt b/app.txt\n--- a/app.txt\n+++ b/app.txt\n@@ -1 +1 @@\n-v1\n+v2 by codecrew\n';
    const step1 = await commitPatch(scratch, base, patch, 'step 1');
    const step2 = await commitPatch(
      scratch,
      step1,
      'diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hello\n',
      'step 2',
    );
    const first = await publishBranch({
      scratch,
      userRepoRoot: user,
      base,
      tree: step2,
      branch: 'codecrew/add-thing',
      message: 'Add thing\n\nBody.',
    });
    expect(first.branch).toEqual('codecrew/add-thing');
    expect(git(user, 'rev-parse', 'refs/heads/codecrew/add-thing')).toEqual(first.commit);
    expect(git(user, 'rev-list', '--parents', '-n', '1', first.commit)).toEqual(`${first.commit} ${base}`);
    expect(git(user, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', first.commit)).toEqual(
      'codecrew <codecrew@localhost>|codecrew <codecrew@localhost>|Add thing\n\nBody.',
    );
    expect(git(user, 'show', `${first.commit}:app.txt`)).toEqual('v2 by codecrew');
    expect(git(user, 'show', `${first.commit}:new.txt`)).toEqual('hello');
    expect(snapshot(user)).toEqual(before);

    const second = await publishBranch({
      scratch,
      userRepoRoot: user,
      base,
      tree: `${step1}^{tree}`,
      branch: 'codecrew/add-thing',
      message: 'Again',
      author: { name: 'Ada', email: 'ada@example.org' },
    });
    expect(second.branch).toEqual('codecrew/add-thing-2');
    expect(git(user, 'rev-parse', 'refs/heads/codecrew/add-thing')).toEqual(first.commit);
    expect(git(user, 'log', '-1', '--format=%an <%ae>', second.commit)).toEqual('Ada <ada@example.org>');
    const third = await publishBranch({
      scratch,
      userRepoRoot: user,
      base,
      tree: step1,
      branch: 'codecrew/add-thing',
      message: 'Third',
    });
    expect(third.branch).toEqual('codecrew/add-thing-3');
    expect(snapshot(user)).toEqual(before);
  });

  it('never overwrites the checked-out branch and rejects invalid names', async () => {
    const result = await publishBranch({ scratch, userRepoRoot: user, base, tree: base, branch: 'main', message: 'm' });
    expect(result.branch).toEqual('main-2');
    expect(git(user, 'rev-parse', 'main')).toEqual(base);
    await expect(
      publishBranch({ scratch, userRepoRoot: user, base, tree: base, branch: 'bad..name', message: 'm' }),
    ).rejects.toMatchObject({ code: 'SPEC_INVALID' });
    await expect(
      publishBranch({ scratch, userRepoRoot: user, base, tree: base, branch: '-oops', message: 'm' }),
    ).rejects.toMatchObject({ code: 'SPEC_INVALID' });
  });

  it('carries over every new object, as loose objects or as a pack when there are many', async () => {
    for (const count of [3, 150]) {
      const changes = Array.from({ length: count }, (_, i) => {
        const data = Buffer.from(`file ${i} of ${count}\n`);
        return { path: `many-${count}/f${i}.txt`, mode: '100644', blob: gitBlobId(data), data };
      });
      const [tree] = await commitChain(scratch, base, [{ message: `${count} files`, changes }]);
      const published = await publishBranch({
        scratch,
        userRepoRoot: user,
        base,
        tree: tree as string,
        branch: `many-${count}`,
        message: 'm',
      });
      expect(
        git(user, 'ls-tree', '-r', '--name-only', published.commit)
          .split('\n')
          .filter((p) => p.startsWith(`many-${count}/`)),
      ).toHaveLength(count);
      expect(git(user, 'show', `${published.commit}:many-${count}/f${count - 1}.txt`)).toBe(
        `file ${count - 1} of ${count}`,
      );
    }
    git(user, 'fsck', '--no-dangling');
  });
});

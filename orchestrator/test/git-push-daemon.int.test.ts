import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { pushBranch } from '../src/git/push.ts';
import { startGitDaemon, type GitDaemon } from '../../test/support/git-daemon.ts';

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

describe('pushBranch to a repository served by git daemon (git://)', () => {
  let root: string;
  let served: string;
  let user: string;
  let daemon: GitDaemon;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-git-daemon-'));
    served = join(root, 'served');
    user = join(root, 'user');
    mkdirSync(served);
    mkdirSync(user);
    git(served, 'init', '--quiet', '--bare', 'app.git');
    daemon = await startGitDaemon(served);
    url = `${daemon.url}app.git`;
    git(user, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(user, 'app.txt'), 'v1\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'base');
    git(user, 'remote', 'add', 'origin', url);
    git(user, 'push', '--quiet', 'origin', 'main');
  });

  afterAll(async () => {
    await daemon.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('pushes a new branch through the git protocol, by remote name and by URL', async () => {
    git(user, 'checkout', '--quiet', '-b', 'codecrew/first');
    writeFileSync(join(user, 'app.txt'), 'v2\n');
    git(user, 'commit', '--quiet', '-am', 'first');
    const commit = git(user, 'rev-parse', 'HEAD');
    git(user, 'checkout', '--quiet', 'main');
    expect(await pushBranch({ repoRoot: user, remote: 'origin', branch: 'codecrew/first' })).toEqual({
      remote: 'origin',
      branch: 'codecrew/first',
      commit,
    });
    expect(git(join(served, 'app.git'), 'rev-parse', 'refs/heads/codecrew/first')).toBe(commit);
    // Once more by URL: already there, nothing to do, and still a success.
    expect((await pushBranch({ repoRoot: user, remote: url, branch: 'codecrew/first' })).commit).toBe(commit);
  });

  it('is refused (non-fast-forward) when the served branch moved elsewhere, and leaves both sides alone', async () => {
    const other = join(root, 'other');
    git(root, 'clone', '--quiet', '--branch', 'codecrew/first', url, other);
    writeFileSync(join(other, 'app.txt'), 'theirs\n');
    git(other, 'commit', '--quiet', '-am', 'theirs');
    git(other, 'push', '--quiet', 'origin', 'codecrew/first');
    const theirs = git(other, 'rev-parse', 'HEAD');

    git(user, 'checkout', '--quiet', 'codecrew/first');
    writeFileSync(join(user, 'app.txt'), 'ours\n');
    git(user, 'commit', '--quiet', '-am', 'ours');
    const ours = git(user, 'rev-parse', 'HEAD');
    git(user, 'checkout', '--quiet', 'main');

    let error: unknown;
    try {
      await pushBranch({ repoRoot: user, remote: 'origin', branch: 'codecrew/first' });
    } catch (caught) {
      error = caught;
    }
    expect(isCodecrewError(error, 'PUSH_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/rejected/);
    expect((error as Error).message).toMatch(/non-fast-forward|fetch first/);
    expect(git(join(served, 'app.git'), 'rev-parse', 'refs/heads/codecrew/first')).toBe(theirs);
    expect(git(user, 'rev-parse', 'refs/heads/codecrew/first')).toBe(ours);
  });
});

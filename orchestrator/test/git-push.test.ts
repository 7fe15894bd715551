import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { pushBranch, pushTarget } from '../src/git/push.ts';

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

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the push to fail');
}

describe('pushBranch', () => {
  let root: string;
  let user: string;
  let remote: string;
  let commit: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-git-push-'));
    user = join(root, 'user');
    remote = join(root, 'remote.git');
    mkdirSync(user);
    git(root, 'init', '--quiet', '--bare', remote);
    git(user, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(user, 'app.txt'), 'v1\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'base');
    git(user, 'remote', 'add', 'origin', pathToFileURL(remote).href);
    git(user, 'push', '--quiet', 'origin', 'main');
    writeFileSync(join(user, 'app.txt'), 'v2\n');
    git(user, 'commit', '--quiet', '-am', 'result');
    commit = git(user, 'rev-parse', 'HEAD');
    git(user, 'branch', 'codecrew/result', commit);
    git(user, 'reset', '--quiet', '--hard', 'HEAD~1');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('pushes the branch to a named remote of the repository (a bare repository over file://)', async () => {
    const pushed = await pushBranch({ repoRoot: user, remote: 'origin', branch: 'codecrew/result' });
    expect(pushed).toEqual({ remote: 'origin', branch: 'codecrew/result', commit });
    expect(git(remote, 'rev-parse', 'refs/heads/codecrew/result')).toBe(commit);
  });

  it('pushes to a git URL given instead of a remote name', async () => {
    const url = pathToFileURL(remote).href;
    const pushed = await pushBranch({ repoRoot: user, remote: url, branch: 'codecrew/result' });
    expect(pushed.remote).toBe(url);
    expect(git(remote, 'rev-parse', 'refs/heads/codecrew/result')).toBe(commit);
  });

  it('is refused when the remote branch has other commits, with git message, and changes nothing', async () => {
    // Someone else's commit on the remote's branch of the same name.
    const other = join(root, 'other');
    git(root, 'clone', '--quiet', '--branch', 'main', pathToFileURL(remote).href, other);
    writeFileSync(join(other, 'app.txt'), 'theirs\n');
    git(other, 'commit', '--quiet', '-am', 'theirs');
    git(other, 'push', '--quiet', 'origin', 'HEAD:refs/heads/codecrew/result');
    const theirs = git(other, 'rev-parse', 'HEAD');

    const error = await failure(pushBranch({ repoRoot: user, remote: 'origin', branch: 'codecrew/result' }));
    expect(isCodecrewError(error, 'PUSH_FAILED')).toBe(true);
    expect(error.message).toMatch(/rejected|non-fast-forward|fetch first/);
    expect(git(remote, 'rev-parse', 'refs/heads/codecrew/result')).toBe(theirs);
    expect(git(user, 'rev-parse', 'refs/heads/codecrew/result')).toBe(commit);
  });

  it('fails with PUSH_FAILED when the branch does not exist', async () => {
    const error = await failure(pushBranch({ repoRoot: user, remote: 'origin', branch: 'codecrew/none' }));
    expect(isCodecrewError(error, 'PUSH_FAILED')).toBe(true);
    expect(error.message).toContain('no such branch');
  });

  it('never shows the credentials of a URL in its failure', async () => {
    // Nothing listens on port 1 of the loopback address: the connection is refused at once.
    const url = 'http://someone:s3cr3t-token@127.0.0.1:1/repo.git';
    const error = await failure(pushBranch({ repoRoot: user, remote: url, branch: 'codecrew/result' }));
    expect(isCodecrewError(error, 'PUSH_FAILED')).toBe(true);
    expect(error.message).not.toContain('s3cr3t-token');
    expect(JSON.stringify((error as { details?: unknown }).details)).not.toContain('s3cr3t-token');
    expect(error.message).toContain('http://***@127.0.0.1:1/repo.git');
  });
});

describe('pushTarget', () => {
  it('makes origin of a repo.url task its URL (without credentials), and leaves other remotes alone', () => {
    expect(pushTarget('origin', 'https://***@git.example.com/team/app.git')).toBe(
      'https://git.example.com/team/app.git',
    );
    expect(pushTarget('origin', null)).toBe('origin');
    expect(pushTarget('upstream', 'https://git.example.com/team/app.git')).toBe('upstream');
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodecrewError, isCodecrewError } from '@codecrew/core';
import { openCachedRepo, repoCacheDir, syncRepoCache } from '../src/git/repo-cache.ts';

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

function commit(dir: string, file: string, text: string): string {
  writeFileSync(join(dir, file), text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', `write ${file}`);
  return git(dir, 'rev-parse', 'HEAD');
}

async function failureOf(work: Promise<unknown>): Promise<CodecrewError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isCodecrewError(error)) throw new Error(`expected a CodecrewError, got ${String(error)}`);
  return error;
}

describe('the clone cache of repo.url', () => {
  let root: string;
  let upstream: string;
  let url: string;
  let dataDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-repo-cache-'));
    upstream = join(root, 'upstream');
    mkdirSync(upstream);
    git(upstream, 'init', '--quiet', '--initial-branch=main');
    commit(upstream, 'app.txt', 'v1\n');
    url = pathToFileURL(upstream).href;
    dataDir = join(root, 'data');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('clones into <dataDir>/repos/<hash>, then fetches new commits into the same clone', async () => {
    const dir = repoCacheDir(dataDir, url);
    expect(dir.startsWith(join(dataDir, 'repos'))).toBe(true);
    expect(await syncRepoCache(url, dir)).toEqual({ dir, cloned: true });
    const first = await openCachedRepo(dir, 'HEAD', url);
    expect(first.baseCommit).toBe(git(upstream, 'rev-parse', 'HEAD'));
    expect(first.root).toBe(dir);
    expect(first.emptyTree).toBe(false);
    expect(git(dir, 'rev-parse', '--is-bare-repository')).toBe('true');

    // A result branch published into the clone, then a new upstream commit on another branch.
    git(dir, 'update-ref', 'refs/heads/codecrew/result', first.baseCommit);
    git(upstream, 'checkout', '--quiet', '-b', 'feature');
    const feature = commit(upstream, 'feature.txt', 'f\n');
    git(upstream, 'checkout', '--quiet', 'main');
    const second = commit(upstream, 'app.txt', 'v2\n');

    expect(await syncRepoCache(url, dir)).toEqual({ dir, cloned: false });
    expect((await openCachedRepo(dir, 'HEAD', url)).baseCommit).toBe(second);
    expect((await openCachedRepo(dir, 'main', url)).baseCommit).toBe(second);
    expect((await openCachedRepo(dir, 'feature', url)).baseCommit).toBe(feature);
    expect((await openCachedRepo(dir, 'refs/heads/feature', url)).baseCommit).toBe(feature);
    expect((await openCachedRepo(dir, first.baseCommit, url)).baseCommit).toBe(first.baseCommit);
    // Fetching (with --prune) leaves the branches codecrew made alone.
    expect(git(dir, 'rev-parse', 'refs/heads/codecrew/result')).toBe(first.baseCommit);
    // No credential-bearing remote is configured: the URL is given to each fetch.
    expect(git(dir, 'config', '--get', 'codecrew.url')).toBe(url);
    expect(() => git(dir, 'config', '--get-regexp', '^remote\\.')).toThrow();
  });

  it('keys the cache on the URL without its credentials', () => {
    const a = repoCacheDir(dataDir, 'https://alice:one@example.com/org/repo.git');
    const b = repoCacheDir(dataDir, 'https://bob:two@EXAMPLE.com/org/repo.git');
    expect(a).toBe(b);
    expect(repoCacheDir(dataDir, 'https://example.com/org/other.git')).not.toBe(a);
  });

  it('names a ref the remote does not have with REPO_INVALID', async () => {
    const dir = repoCacheDir(dataDir, url);
    await syncRepoCache(url, dir);
    const error = await failureOf(openCachedRepo(dir, 'no-such-branch', url));
    expect(error.code).toBe('REPO_INVALID');
    expect(error.message).toContain(`'no-such-branch' does not name a branch, tag or commit of ${url}`);
  });

  it('fails a URL git cannot clone with REPO_CLONE_FAILED and leaves no cache directory', async () => {
    const missing = pathToFileURL(join(root, 'no-such-repo')).href;
    const dir = repoCacheDir(dataDir, missing);
    const error = await failureOf(syncRepoCache(missing, dir));
    expect(error.code).toBe('REPO_CLONE_FAILED');
    expect(error.message).toContain(`could not clone ${missing}`);
    // git's own words are part of the message.
    expect(error.message).toMatch(/does not appear to be a git repository|not a git repository/);
    expect(readdirSync(join(dataDir, 'repos'))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('fails a fetch into an existing clone with REPO_FETCH_FAILED and keeps the clone', async () => {
    const dir = repoCacheDir(dataDir, url);
    await syncRepoCache(url, dir);
    rmSync(upstream, { recursive: true, force: true });
    const error = await failureOf(syncRepoCache(url, dir));
    expect(error.code).toBe('REPO_FETCH_FAILED');
    expect((await openCachedRepo(dir, 'HEAD', url)).baseCommit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('never shows the credentials of a URL in an error', async () => {
    const secret = 's3cret-token-value';
    const withCredentials = `http://alice:${secret}@127.0.0.1:9/org/repo.git`;
    const dir = repoCacheDir(dataDir, withCredentials);
    const error = await failureOf(syncRepoCache(withCredentials, dir));
    expect(error.code).toBe('REPO_CLONE_FAILED');
    const shown = JSON.stringify({ message: error.message, data: error.toData() });
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain('alice');
    expect(error.message).toContain('http://***@127.0.0.1:9/org/repo.git');
    expect(existsSync(dir)).toBe(false);
  });

  it('serializes concurrent syncs of one URL: one clones, the others fetch, the clone stays sound', async () => {
    const dir = repoCacheDir(dataDir, url);
    const results = await Promise.all([1, 2, 3, 4].map(() => syncRepoCache(url, dir)));
    expect(results.filter((result) => result.cloned)).toHaveLength(1);
    expect(git(dir, 'fsck', '--no-progress')).toBe('');
    expect(readdirSync(join(dataDir, 'repos'))).toEqual([dir.split('/').at(-1)]);
  });

  it('takes over the lock a killed process left behind', async () => {
    const dir = repoCacheDir(dataDir, url);
    mkdirSync(`${dir}.lock`, { recursive: true });
    // A pid no process has (pid_max is below 2^22 on Linux).
    writeFileSync(join(`${dir}.lock`, 'pid'), '4194999\n');
    expect(await syncRepoCache(url, dir)).toEqual({ dir, cloned: true });
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});

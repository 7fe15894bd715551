import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import type { ApiTaskStatus, TaskRecord } from '@codecrew/store';
import { followableResult } from '../src/tasks/followup.ts';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
};
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();

/** A task record as the store returns it, ended `status` with `result`. */
function record(
  repo: string,
  status: ApiTaskStatus,
  result: { branch: string | null; commit: string | null } | null,
): TaskRecord {
  return {
    id: 't0parent',
    name: 'first',
    status,
    createdAt: '2026-12-07T10:00:00.000Z',
    startedAt: null,
    endedAt: null,
    repo,
    spec: {},
    idempotencyKey: null,
    outDir: null,
    summary: {
      plan: null,
      subtasks: [],
      usage: { tokens: 0, costUsd: 0, modelCalls: 0 },
      tests: null,
      review: null,
      result: result === null ? null : { status: 'approved', filesChanged: 1, repository: repo, ...result },
    },
    error: null,
    cancelRequested: false,
    parent: null,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return isCodecrewError(error) ? error.code : String(error);
  }
}

describe('followableResult', () => {
  let repo: string;
  let base: string;
  let commit: string;

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'codecrew-followable-'));
    git(repo, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'base');
    base = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '--quiet', '-b', 'codecrew/first');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'result');
    commit = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '--quiet', 'main');
  });

  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('gives the branch, commit and repository of an ended task whose branch is still at its commit', async () => {
    const result = await followableResult(record(repo, 'approved', { branch: 'codecrew/first', commit }));
    expect(result).toEqual({ branch: 'codecrew/first', commit, repository: repo });
  });

  it('refuses a task that has not ended, one without a result branch, and one whose branch moved', async () => {
    expect(await codeOf(followableResult(record(repo, 'running', null)))).toBe('TASK_NOT_ENDED');
    expect(await codeOf(followableResult(record(repo, 'failed', { branch: null, commit: null })))).toBe(
      'NO_RESULT_BRANCH',
    );
    expect(await codeOf(followableResult(record(repo, 'approved', null)))).toBe('NO_RESULT_BRANCH');
    git(repo, 'branch', '-f', 'codecrew/first', base);
    expect(await codeOf(followableResult(record(repo, 'approved', { branch: 'codecrew/first', commit })))).toBe(
      'BRANCH_MOVED',
    );
    git(repo, 'branch', '-D', 'codecrew/first');
    expect(await codeOf(followableResult(record(repo, 'not_approved', { branch: 'codecrew/first', commit })))).toBe(
      'BRANCH_MOVED',
    );
  });
});

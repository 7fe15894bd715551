import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PullRequestSpec } from '@codecrew/core';
import { deliverResult } from '../src/deliver/index.ts';
import { renderMarkdown } from '../src/report/render-markdown.ts';
import type { TaskReport } from '../src/report/build-report.ts';
import { GitHubStandIn } from './support/github-stand-in.ts';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
};
const TOKEN = 'ghp_standInToken0123456789';
const FIXTURE = fileURLToPath(new URL('../../packages/viewer/test/fixtures/demo-task/report.json', import.meta.url));

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();
}

describe('deliverResult: push, then a pull request through a stand-in for GitHub API', () => {
  let root: string;
  let user: string;
  let remote: string;
  let github: GitHubStandIn;
  let report: TaskReport;
  const logged: string[] = [];

  function commitResult(content: string): string {
    // The result branch grows: a follow-up commits on top of the last result.
    const branches = git(user, 'branch', '--list', 'codecrew/result');
    if (branches === '') git(user, 'checkout', '--quiet', '-b', 'codecrew/result');
    else git(user, 'checkout', '--quiet', 'codecrew/result');
    writeFileSync(join(user, 'app.txt'), content);
    git(user, 'commit', '--quiet', '-am', content);
    const commit = git(user, 'rev-parse', 'HEAD');
    git(user, 'checkout', '--quiet', 'main');
    return commit;
  }

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-deliver-'));
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
    github = new GitHubStandIn('acme/textkit', TOKEN);
    await github.start();
    report = JSON.parse(readFileSync(FIXTURE, 'utf8')) as TaskReport;
    report.repo = { ...report.repo, path: user };
    report.result = { ...report.result!, branch: 'codecrew/result' };
    logged.length = 0;
  });

  afterEach(async () => {
    await github.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url });
  const task = {
    push: { remote: 'origin' },
    pullRequest: PullRequestSpec.parse({ github: 'acme/textkit', base: 'main', draft: true }),
    repoUrl: null,
  };

  it('pushes the branch and opens a draft pull request whose body is built from the report', async () => {
    const commit = commitResult('v2\n');
    const outcome = await deliverResult(task, report, {
      traceLink: 'http://codecrew.example/v1/tasks/t1/events',
      log: (message) => logged.push(message),
      env: env(),
    });
    expect(outcome.push).toEqual({ remote: 'origin', branch: 'codecrew/result', commit, error: null });
    expect(git(remote, 'rev-parse', 'refs/heads/codecrew/result')).toBe(commit);
    expect(outcome.pullRequest).toEqual({
      github: 'acme/textkit',
      number: 1,
      url: 'https://github.example/acme/textkit/pull/1',
      action: 'opened',
      error: null,
    });
    const [list, create] = github.requests;
    expect(list?.method).toBe('GET');
    expect(list?.query.get('head')).toBe('acme:codecrew/result');
    expect(list?.query.get('state')).toBe('open');
    expect(create?.method).toBe('POST');
    expect(create?.headers.authorization).toBe(`token ${TOKEN}`);
    expect(create?.body).toMatchObject({ head: 'codecrew/result', base: 'main', draft: true });
    expect(create?.body?.['title']).toBe(`${report.name}: ${report.prompt.trim().split('\n')[0]}`);
    const body = String(create?.body?.['body']);
    expect(body).toContain(report.plan!.summary);
    for (const subtask of report.subtasks) expect(body).toContain(subtask.title);
    const tests = report.tests.at(-1)!;
    expect(body).toContain(`${tests.passed} passed, ${tests.failed} failed`);
    expect(body).toContain(`**${report.reviews.at(-1)!.verdict}**`);
    expect(body).toContain(`$${report.usage.costUsd.toFixed(4)}`);
    expect(body).toContain('http://codecrew.example/v1/tasks/t1/events');
    expect(logged.some((line) => line.includes('pull request #1 opened'))).toBe(true);
    const markdown = renderMarkdown({ ...report, result: { ...report.result!, ...outcome } });
    expect(markdown).toContain(`- Pushed to \`origin\` (${commit.slice(0, 12)})`);
    expect(markdown).toContain('- Pull request #1 opened on acme/textkit: https://github.example/acme/textkit/pull/1');
  });

  it('updates the open pull request of the same head branch instead of opening another', async () => {
    commitResult('v2\n');
    await deliverResult(task, report, { traceLink: 'trace-1', log: () => undefined, env: env() });
    const second = commitResult('v3\n');
    report.plan = { ...report.plan!, summary: 'The follow-up summary.' };
    const outcome = await deliverResult(task, report, { traceLink: 'trace-2', log: () => undefined, env: env() });
    expect(outcome.push?.commit).toBe(second);
    expect(outcome.pullRequest).toMatchObject({ number: 1, action: 'updated', error: null });
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]?.body).toContain('The follow-up summary.');
    const patch = github.requests.find((request) => request.method === 'PATCH');
    expect(patch?.path).toBe('/repos/acme/textkit/pulls/1');
    expect(Object.keys(patch?.body ?? {}).sort()).toEqual(['body', 'title']);
    expect(github.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it("reports GitHub's refusal (a wrong token) and leaves the pushed branch as it is", async () => {
    const commit = commitResult('v2\n');
    const outcome = await deliverResult(task, report, {
      traceLink: 'trace',
      log: () => undefined,
      env: { GITHUB_TOKEN: 'wrong', GITHUB_API_URL: github.url },
    });
    expect(outcome.push?.error).toBeNull();
    expect(outcome.pullRequest?.error?.code).toBe('PULL_REQUEST_FAILED');
    expect(outcome.pullRequest?.error?.message).toContain('Bad credentials');
    expect(github.pulls).toHaveLength(0);
    expect(git(remote, 'rev-parse', 'refs/heads/codecrew/result')).toBe(commit);
  });

  it('opens no pull request when the push was refused, and says why', async () => {
    commitResult('v2\n');
    git(user, 'push', '--quiet', 'origin', 'main:refs/heads/codecrew/result', '--force');
    git(user, 'checkout', '--quiet', '-B', 'theirs', 'main');
    writeFileSync(join(user, 'app.txt'), 'theirs\n');
    git(user, 'commit', '--quiet', '-am', 'theirs');
    git(user, 'push', '--quiet', '--force', 'origin', 'theirs:refs/heads/codecrew/result');
    git(user, 'checkout', '--quiet', 'main');
    const outcome = await deliverResult(task, report, { traceLink: 'trace', log: () => undefined, env: env() });
    expect(outcome.push?.error?.code).toBe('PUSH_FAILED');
    expect(outcome.pullRequest?.error?.code).toBe('PULL_REQUEST_FAILED');
    expect(outcome.pullRequest?.error?.message).toContain('not pushed');
    expect(github.requests).toHaveLength(0);
    const markdown = renderMarkdown({ ...report, result: { ...report.result!, ...outcome } });
    expect(markdown).toContain('- Push to `origin` failed: `PUSH_FAILED`');
    expect(markdown).toContain('- Pull request on acme/textkit failed: `PULL_REQUEST_FAILED`');
  });

  it('does nothing when the task has no result branch', async () => {
    report.result = { ...report.result!, branch: null };
    const outcome = await deliverResult(task, report, { traceLink: 'trace', log: () => undefined, env: env() });
    expect(outcome).toEqual({ push: null, pullRequest: null });
    expect(github.requests).toHaveLength(0);
  });
});

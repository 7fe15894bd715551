import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isViewerBuilt } from '@codecrew/viewer';
import { GitHubStandIn } from '../../orchestrator/test/support/github-stand-in.ts';
import { ROOT, TEXTKIT, git, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { seriousAxeViolations } from '../support/axe.ts';
import { FOLLOWUP_SCRIPT } from '../support/followup-script.ts';
import { startGitDaemon, type GitDaemon } from '../support/git-daemon.ts';
import { api, readSse, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const TOKEN = 'ghp_e2eViewerStandIn';
const SCREENSHOTS = join(ROOT, '.codecrew/viewer-screenshots');

/** The two-file task of FOLLOWUP_SCRIPT, pushing its branch to origin and opening a pull request. */
function deliveredTask(name: string, repo: string): string {
  return [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    '  prompt: Write alpha.txt and beta.txt.',
    '  parallelism: 2',
    '  test: { command: node --test test/words.test.js }',
    '  review: { maxRounds: 1 }',
    '  output:',
    '    push: { remote: origin }',
    '    pullRequest: { github: acme/textkit, base: main }',
    '',
  ].join('\n');
}

describe("the viewer's Deliver section against a real codecrew serve", () => {
  let dir = '';
  let work = '';
  let served = '';
  let daemon: GitDaemon;
  let github: GitHubStandIn;
  let receiver: WebhookReceiver;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    expect(isViewerBuilt(), 'the viewer is built by npm run setup').toBe(true);
    dir = await tempDirFor('viewer deliver');
    served = join(dir, 'served');
    mkdirSync(served);
    work = await makeGitRepo(TEXTKIT, join(dir, 'work'));
    for (const name of ['origin', 'copy', 'closed']) {
      execFileSync('git', ['clone', '--quiet', '--bare', work, join(served, `${name}.git`)]);
    }
    // closed.git refuses every push, saying why.
    const hook = join(served, 'closed.git', 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "closed.git takes no pushes" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    daemon = await startGitDaemon(served);
    git(work, 'remote', 'add', 'origin', `${daemon.url}origin.git`);
    github = new GitHubStandIn('acme/textkit', TOKEN);
    await github.start();
    // The first two requests the receiver gets fail: the task.ended delivery is tried three times.
    receiver = new WebhookReceiver([500, 500]);
    await receiver.start();
    await writeFile(join(dir, 'followup.script.yaml'), FOLLOWUP_SCRIPT);
    await writeFile(
      join(dir, 'codecrew.yaml'),
      [
        'server:',
        '  webhooks:',
        `    - url: ${receiver.url}`,
        '      events: [task.ended]',
        '      secret: e2e-viewer-secret',
        '      initialDelay: 200ms',
        '',
      ].join('\n'),
    );
    serve = await startServe(
      ['--data-dir', join(dir, 'data'), '--model', `scripted:${join(dir, 'followup.script.yaml')}`],
      { cwd: dir, env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url } },
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await receiver?.stop();
    await github?.stop();
    await daemon?.stop();
  });

  let id = '';
  let commit = '';

  it('shows the pull request the task opened and its webhook deliveries, retried ones included', async () => {
    const created = await submitYaml(serve.url, deliveredTask('viewer-delivered', work));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = String(created.body['id']);
    expect((await readSse(serve.url, id)).end?.status).toBe('approved');
    commit = git(work, 'rev-parse', 'codecrew/viewer-delivered');
    const report = await api<{ result: { pullRequest: { number: number; url: string } } }>(
      serve.url,
      `/v1/tasks/${id}/report`,
    );
    expect(report.body.result.pullRequest.number).toBe(1);

    await page.goto(`${serve.url}/#/tasks/${id}`);
    const deliver = page.getByRole('region', { name: 'Deliver', exact: true });
    const link = deliver.getByRole('link', { name: '#1' });
    await link.waitFor({ timeout: 60_000 });
    expect(await link.getAttribute('href')).toBe(report.body.result.pullRequest.url);
    expect(await deliver.locator('p').filter({ hasText: 'Pull request' }).textContent()).toBe(
      'Pull request #1 on acme/textkit (opened)',
    );

    // The panel reads the deliveries again while one is pending: the row ends delivered on its third try.
    const table = deliver.getByRole('table', { name: 'Webhook deliveries' });
    await table.locator('tbody tr', { hasText: 'yes' }).waitFor({ timeout: 60_000 });
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([['task.ended', receiver.url, '3 (500, 500, 204)', '204', 'yes']]);
  }, 300_000);

  it("pushes the branch to the remote typed in, and shows git's message when a remote refuses", async () => {
    const push = page.getByRole('form', { name: 'Push the result branch' });
    const remote = push.getByLabel('Remote', { exact: true });
    // The spec's output.push.remote is the default.
    expect(await remote.inputValue()).toBe('origin');

    await remote.fill(`${daemon.url}copy.git`);
    await push.getByRole('button', { name: 'Push' }).click();
    const pushed = push.getByRole('status');
    await pushed.waitFor({ timeout: 60_000 });
    expect(await pushed.textContent()).toBe(
      `Pushed codecrew/viewer-delivered at ${commit.slice(0, 10)} to ${daemon.url}copy.git.`,
    );
    expect(git(join(served, 'copy.git'), 'rev-parse', 'refs/heads/codecrew/viewer-delivered')).toBe(commit);

    await remote.fill(`${daemon.url}closed.git`);
    await push.getByRole('button', { name: 'Push' }).click();
    const refused = push.getByRole('alert');
    await refused.waitFor({ timeout: 60_000 });
    const message = (await refused.textContent()) ?? '';
    expect(message).toContain('PUSH_FAILED');
    expect(message).toContain('closed.git takes no pushes');
    expect(message).toContain('pre-receive hook declined');
    // The field keeps what was typed, and the button can push again.
    expect(await remote.inputValue()).toBe(`${daemon.url}closed.git`);
    expect(await push.getByRole('button', { name: 'Push' }).isDisabled()).toBe(false);
    expect(() =>
      git(join(served, 'closed.git'), 'rev-parse', '--verify', '--quiet', 'refs/heads/codecrew/viewer-delivered'),
    ).toThrow();

    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('heading', { name: 'Deliver', exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-deliver.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-deliver-full.png'), fullPage: true });
  }, 120_000);

  it('sends a follow-up from the form, opens it, and the history shows both commits on the branch', async () => {
    const form = page.getByRole('form', { name: 'Follow up the task' });
    const send = form.getByRole('button', { name: 'Send follow-up' });
    expect(await send.isDisabled()).toBe(true);
    await form.getByLabel('Follow-up prompt', { exact: true }).fill('Also write more.txt');
    await send.click();
    await page.waitForURL((url) => url.hash !== '' && !url.hash.endsWith(id));
    const followupId = decodeURIComponent(new URL(page.url()).hash.replace('#/tasks/', ''));

    const history = page.getByRole('list', { name: 'revision history' });
    await history.locator('li[aria-current="page"] .status-approved').waitFor({ timeout: 180_000 });
    const followup = await api<{ parent: string; result: { branch: string; commit: string } }>(
      serve.url,
      `/v1/tasks/${followupId}`,
    );
    expect(followup.body.parent).toBe(id);
    expect(followup.body.result.branch).toBe('codecrew/viewer-delivered');
    expect(git(work, 'rev-parse', `${followup.body.result.commit}^`)).toBe(commit);
    const entries = await history.locator('li').allTextContents();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toContain(id);
    expect(entries[0]).toContain(commit.slice(0, 10));
    expect(entries[1]).toContain(followupId);
    expect(entries[1]).toContain(followup.body.result.commit.slice(0, 10));
    // The follow-up's page has its own Deliver section, its remote field as the spec says.
    await page.getByRole('form', { name: 'Push the result branch' }).waitFor({ timeout: 60_000 });
    expect(await page.getByLabel('Remote', { exact: true }).inputValue()).toBe('origin');
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-followup.png'), fullPage: true });
  }, 300_000);
});

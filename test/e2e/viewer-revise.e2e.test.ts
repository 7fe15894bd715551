import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isViewerBuilt } from '@codecrew/viewer';
import { ROOT, TEXTKIT, git, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { FOLLOWUP_SCRIPT, followupTask } from '../support/followup-script.ts';
import { api, eventsSoFar, readSse, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';

const SCREENSHOTS = join(ROOT, '.codecrew/viewer-screenshots');

describe('commenting on a diff line in the viewer and revising', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let repo: string;

  beforeAll(async () => {
    expect(isViewerBuilt(), 'the viewer is built by npm run setup').toBe(true);
    const dir = await tempDirFor('viewer-revise');
    repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
    await writeFile(join(dir, 'followup.script.yaml'), FOLLOWUP_SCRIPT);
    serve = await startServe([
      '--data-dir',
      join(dir, 'data'),
      '--model',
      `scripted:${join(dir, 'followup.script.yaml')}`,
    ]);
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
  });

  it('adds a comment on a line, presses Revise, and shows the revision in the history on the same branch', async () => {
    const submitted = await submitYaml(serve.url, followupTask('viewer-revised', repo));
    const id = String(submitted.body.id);
    expect((await readSse(serve.url, id)).end?.status).toBe('approved');
    const first = await api<{ result: { branch: string; commit: string } }>(serve.url, `/v1/tasks/${id}`);

    await page.goto(`${serve.url}/#/tasks/${id}`);
    await page.locator('.toolbar .status-approved').waitFor({ timeout: 60_000 });
    const revise = page.getByRole('button', { name: 'Revise' });
    expect(await revise.isDisabled()).toBe(true);

    // A line outside every hunk has no button; line 2 of alpha.txt has one.
    await page.getByRole('button', { name: 'comment on alpha.txt:2' }).click();
    await page.getByRole('textbox', { name: 'comment on alpha.txt:2' }).fill('Say what alpha 2 is for.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByRole('note', { name: 'your comment on alpha.txt:2' }).waitFor();
    expect(await page.getByRole('note', { name: 'your comment on alpha.txt:2' }).textContent()).toContain(
      'Say what alpha 2 is for.',
    );
    const stored = await api<{ comments: Array<{ path: string; line: number; body: string }> }>(
      serve.url,
      `/v1/tasks/${id}/comments`,
    );
    expect(stored.body.comments).toMatchObject([{ path: 'alpha.txt', line: 2, body: 'Say what alpha 2 is for.' }]);
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-comment.png'), fullPage: true });

    await revise.click();
    // The page opens the revision, which follows the first task on its branch.
    await page.waitForURL((url) => !url.hash.endsWith(id));
    const revisionId = decodeURIComponent(new URL(page.url()).hash.replace('#/tasks/', ''));
    const history = page.getByRole('list', { name: 'revision history' });
    // The history marks the open task, and follows it until it has ended.
    await history.locator('li[aria-current="page"] .status-approved').waitFor({ timeout: 180_000 });
    const entries = await history.locator('li').allTextContents();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toContain(id);
    expect(entries[0]).toContain(first.body.result.commit.slice(0, 10));
    expect(entries[1]).toContain(revisionId);
    const revision = await api<{ parent: string; result: { branch: string; commit: string } }>(
      serve.url,
      `/v1/tasks/${revisionId}`,
    );
    expect(revision.body.parent).toBe(id);
    expect(revision.body.result.branch).toBe(first.body.result.branch);
    expect(entries[1]).toContain(revision.body.result.commit.slice(0, 10));
    expect(git(repo, 'rev-parse', `${revision.body.result.commit}^`)).toBe(first.body.result.commit);
    // Only the subtask that wrote the commented line had a coder.
    const coders = (await eventsSoFar(serve.url, revisionId))
      .filter((event) => event.kind === 'job.dispatched' && event.data['role'] === 'coder')
      .map((event) => event.data['subtaskId']);
    expect(coders).toEqual(['alpha']);
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-revision.png'), fullPage: true });
  });
});

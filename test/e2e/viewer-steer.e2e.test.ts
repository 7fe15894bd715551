import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isViewerBuilt } from '@codecrew/viewer';
import { TEXTKIT, makeGitRepo, tempDirFor } from '../support/cli.ts';
import {
  NOTE_SCRIPT,
  api,
  eventsSoFar,
  noteTask,
  startServe,
  submitYaml,
  waitForStatus,
  type ServeProcess,
} from '../support/serve.ts';

describe("the viewer's message box against a real codecrew serve", () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let repo: string;

  beforeAll(async () => {
    expect(isViewerBuilt(), 'the viewer is built by npm run setup').toBe(true);
    const dir = await tempDirFor('viewer steer');
    repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
    await writeFile(join(dir, 'note.script.yaml'), NOTE_SCRIPT);
    serve = await startServe(['--data-dir', join(dir, 'data'), '--model', `scripted:${join(dir, 'note.script.yaml')}`]);
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

  it('sends a message to a subtask of the running task, which the trace shows, and goes once the task ends', async () => {
    // The coder runs `sleep 300`: the task runs until it is cancelled.
    const created = await submitYaml(serve.url, noteTask('steer-in-viewer', repo, 'Write a note. SLOW-CODER'));
    const id = String(created.body['id']);
    await page.goto(`${serve.url}/#/tasks/${id}`);
    await page.locator('.lane-label .role', { hasText: 'coder' }).first().waitFor({ timeout: 120_000 });

    const box = page.getByRole('form', { name: 'Message the agents' });
    await box.waitFor();
    const coderJob = `${id}-code-note-r0`;
    await box.locator(`#message-to option[value="${coderJob}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    const targets = await box
      .locator('#message-to option')
      .evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value));
    expect(targets).toEqual(['task', 'note', coderJob]);

    await expect(box.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true);
    await box.getByLabel('Tell the agents', { exact: true }).fill('Write the note in French.');
    await box.getByLabel('To', { exact: true }).selectOption('note');
    await box.getByRole('button', { name: 'Send' }).click();
    await box
      .getByRole('status')
      .filter({ hasText: `Sent to note: read before the next model call of ${coderJob}.` })
      .waitFor({ timeout: 30_000 });
    await expect(box.getByLabel('Tell the agents', { exact: true }).inputValue()).resolves.toBe('');

    const sent = (await eventsSoFar(serve.url, id)).filter((event) => event.kind === 'user.message');
    expect(sent.map((event) => [event.data['text'], event.data['to'], event.data['running']])).toEqual([
      ['Write the note in French.', 'note', [coderJob]],
    ]);

    await api(serve.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
    await waitForStatus(serve.url, id, ['cancelled'], 60_000);
    await page.locator('.toolbar .status-cancelled').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('form', { name: 'Message the agents' }).count()).toBe(0);
  }, 300_000);
});

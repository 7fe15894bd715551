import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isViewerBuilt } from '@codecrew/viewer';
import { ROOT, TEXTKIT, containersOfTask, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { api, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';
import { until } from '../support/worker-process.ts';

const SCREENSHOTS = join(ROOT, '.codecrew/viewer-screenshots');

const launchBrowser = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/** The demo task file for the textkit repository at `repo`. */
const demoTask = (repo: string, name: string) =>
  [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    '  prompt: Add slugify and titleCase, exported from src/index.js, so that all tests pass.',
    '  parallelism: 2',
    '  review: { maxRounds: 1 }',
    '',
  ].join('\n');

/** The demo's script with a reviewer that takes ten minutes to answer: its tasks run until cancelled. */
function slowReviewerScript(dir: string): string {
  const demo = readFileSync(join(ROOT, 'examples/scripts/demo.script.yaml'), 'utf8');
  const reviewer = '  - match: { agent: reviewer }\n';
  if (!demo.includes(reviewer)) throw new Error("the demo script's reviewer rule has moved");
  const slow = `${reviewer}    replies:\n      - { latency_ms: 600000, content: Still reviewing. }\n`;
  const path = join(dir, 'slow-reviewer.script.yaml');
  writeFileSync(path, demo.replace(reviewer, slow + reviewer));
  return path;
}

describe('the viewer against a real codecrew serve', () => {
  let serve: ServeProcess;
  let viewerUrl: string;
  let browser: Browser;
  let page: Page;
  let repo: string;

  beforeAll(async () => {
    expect(isViewerBuilt(), 'the viewer is built by npm run setup').toBe(true);
    const dir = await tempDirFor('viewer-serve');
    repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
    serve = await startServe([
      '--data-dir',
      join(dir, 'data'),
      '--model',
      `scripted:${join(ROOT, 'examples/scripts/demo.script.yaml')}`,
    ]);
    // codecrew serve answers the viewer at / and its API under /v1 on one origin.
    viewerUrl = `${serve.url}/`;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it("shows a bad task file's problems at their field", async () => {
    await page.goto(viewerUrl);
    await page.getByRole('button', { name: 'New task' }).click();
    await page
      .locator('#task-yaml')
      .fill('apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: bad }\nspec:\n  prompt: 42\n');
    await page.getByRole('button', { name: 'Submit' }).click();
    const problems = page.locator('ul.problems li');
    await problems.first().waitFor();
    expect((await problems.allTextContents()).join('\n')).toContain('spec.repo');
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-submit-problems.png') });
  });

  it('submits the demo task from the form and watches it to the approved diff', async () => {
    const yaml = [
      'apiVersion: codecrew/v1',
      'kind: Task',
      'metadata: { name: viewer-demo }',
      'spec:',
      `  repo: { path: ${JSON.stringify(repo)} }`,
      '  prompt: Add slugify and titleCase, exported from src/index.js, so that all tests pass.',
      '  parallelism: 2',
      '  review: { maxRounds: 1 }',
      '',
    ].join('\n');
    await page.locator('#task-yaml').fill(yaml);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/#\/tasks\//);
    await page.locator('.toolbar .status-approved').waitFor({ timeout: 180_000 });
    await page.locator('.hunk-head').nth(2).waitFor({ timeout: 30_000 });
    const lanes = await page.locator('.lane-label .role').allTextContents();
    expect(lanes).toEqual(
      expect.arrayContaining(['planner', 'coder · slug · r0', 'coder · title · r0', 'reviewer · r0']),
    );
    const slug = await page.locator('[id$="-code-slug-r0"] .lane-bar').boundingBox();
    const title = await page.locator('[id$="-code-title-r0"] .lane-bar').boundingBox();
    if (slug === null || title === null) throw new Error('the coders have no bars');
    expect(slug.x < title.x + title.width && title.x < slug.x + slug.width).toBe(true);
    const labels = await page.locator('.hunk-head .provenance').allTextContents();
    expect(labels.some((label) => /slug · code-slug-r0/.test(label))).toBe(true);
    expect(labels.some((label) => /title · code-title-r0/.test(label))).toBe(true);
    expect(await page.locator('#review-title + p .verdict-approve').textContent()).toBe('approve');
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task.png'), fullPage: true });
    await page.goto(viewerUrl);
    await page.locator('table.tasks tbody tr a', { hasText: 'viewer-demo' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-tasks.png') });
  });
});

describe('the viewer on tasks that are still running', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let repo: string;

  beforeAll(async () => {
    expect(isViewerBuilt(), 'the viewer is built by npm run setup').toBe(true);
    const dir = await tempDirFor('viewer-serve-running');
    repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
    serve = await startServe(['--data-dir', join(dir, 'data'), '--model', `scripted:${slowReviewerScript(dir)}`]);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it("draws the two coders' lanes overlapping in time while the task runs", async () => {
    const submitted = await submitYaml(serve.url, demoTask(repo, 'running-demo'));
    const id = String(submitted.body.id);
    await page.goto(`${serve.url}/#/tasks/${id}`);
    // The reviewer is the last job and does not answer: both coders' lanes are drawn while the task runs.
    await page.locator('.lane-label .role', { hasText: 'reviewer · r0' }).waitFor({ timeout: 180_000 });
    const slug = await page.locator('[id$="-code-slug-r0"] .lane-bar').boundingBox();
    const title = await page.locator('[id$="-code-title-r0"] .lane-bar').boundingBox();
    expect(await page.locator('.toolbar .status').textContent()).toBe('running');
    if (slug === null || title === null) throw new Error('the coders have no bars');
    expect(slug.x < title.x + title.width && title.x < slug.x + slug.width).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-running.png') });
    await api(serve.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
  });

  it('shows a task submitted through the API on the open tasks page, and its status changes, without a reload', async () => {
    const listCalls: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      // The list of the tasks page; a task page asks for its follow-ups with ?parent= (the earlier test's may still).
      if (url.pathname === '/v1/tasks' && !url.searchParams.has('parent')) listCalls.push(url.search);
    });
    await page.goto(`${serve.url}/#/`);
    await page.locator('table.tasks').waitFor();
    await page.evaluate('window.sameDocument = true');
    const submitted = await submitYaml(serve.url, demoTask(repo, 'live-listed'));
    const id = String(submitted.body.id);
    const row = page.locator('table.tasks tbody tr', { has: page.locator('a', { hasText: 'live-listed' }) });
    await row.locator('.status-running').waitFor({ timeout: 120_000 });
    await api(serve.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
    await row.locator('.status-cancelled').waitFor({ timeout: 60_000 });
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    // Listed once; every change after came from GET /v1/tasks/events.
    expect(listCalls).toEqual(['?limit=200']);
  });

  it('cancels a running task from its page: cancelled in the page and the API, no container left', async () => {
    const submitted = await submitYaml(serve.url, demoTask(repo, 'to-cancel'));
    const id = String(submitted.body.id);
    await page.goto(`${serve.url}/#/tasks/${id}`);
    // The page may still show the task of an earlier test (running too) until the hash route has switched.
    await page.locator('#task-title', { hasText: 'to-cancel' }).waitFor({ timeout: 60_000 });
    await page.locator('.toolbar .status-running').waitFor({ timeout: 120_000 });
    await page.locator('.lane-label .role', { hasText: 'coder' }).first().waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.toolbar .status-cancelled').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    // The page learns it from the task.finished event; the task's status changes just after that event is stored.
    const read = () => api<{ status: string; error: { code: string } | null }>(serve.url, `/v1/tasks/${id}`);
    await until(async () => (await read()).body.status !== 'running', 30_000);
    const task = await read();
    expect(task.body.status).toBe('cancelled');
    expect(task.body.error?.code).toBe('CANCELLED');
    // The job's sandbox goes once its worker has seen the cancel (the status does not wait for that).
    await until(() => containersOfTask(id).length === 0, 60_000);
    expect(containersOfTask(id)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-task-cancelled.png') });
  });
});

describe('the viewer against codecrew serve --token', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let repo: string;

  beforeAll(async () => {
    const dir = await tempDirFor('viewer-serve-token');
    repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
    serve = await startServe([
      '--data-dir',
      join(dir, 'data'),
      '--token',
      'x',
      '--model',
      `scripted:${join(ROOT, 'examples/scripts/demo.script.yaml')}`,
    ]);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('asks for the token once, keeps it for the tab, and sends it on every API call and the event stream', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const apiCalls: { path: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/v1/')) {
        apiCalls.push({ path: url.pathname + url.search, authorization: request.headers().authorization });
      }
    });
    await page.goto(`${serve.url}/`);
    const form = page.getByRole('form', { name: 'This server needs a token' });
    await form.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'serve-token.png') });
    await page.getByLabel('Token', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('The server refused that token.').waitFor();
    await page.getByLabel('Token', { exact: true }).fill('x');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('table.tasks').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('codecrew.token')")).toBe('x');

    const submitted = await submitYaml(serve.url, demoTask(repo, 'with-token'), { authorization: 'Bearer x' });
    const id = String(submitted.body.id);
    await page.locator('table.tasks tbody tr a', { hasText: 'with-token' }).click();
    // The live stream (fetch with a streamed body) carries the token too.
    await page.locator('.lane-label .role', { hasText: 'planner' }).waitFor({ timeout: 120_000 });
    await page.reload();
    await page.locator('h1#task-title', { hasText: 'with-token' }).waitFor();
    expect(await form.count()).toBe(0);
    const sent = apiCalls.filter((call) => call.authorization !== undefined);
    expect(sent.every((call) => call.authorization === 'Bearer x' || call.authorization === 'Bearer wrong')).toBe(true);
    expect(sent.some((call) => call.path === `/v1/tasks/${id}/events` && call.authorization === 'Bearer x')).toBe(true);
    expect(sent.some((call) => call.path === '/v1/tasks?limit=200' && call.authorization === 'Bearer x')).toBe(true);
    // Only the calls before a token was given went without one.
    const firstWithToken = apiCalls.findIndex((call) => call.authorization !== undefined);
    expect(apiCalls.slice(firstWithToken).every((call) => call.authorization !== undefined)).toBe(true);
    await api(serve.url, `/v1/tasks/${id}/cancel`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    // A token the server no longer takes brings the form back.
    await page.evaluate("sessionStorage.setItem('codecrew.token', 'stale')");
    await page.goto(`${serve.url}/#/`);
    await page.getByText('The server refused that token.').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('codecrew.token')")).toBeNull();
  });
});

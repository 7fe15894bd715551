import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, ensureViewerBuilt, launchChromium, seriousAxeViolations, startView } from './browser.ts';
import { bigTrace } from './support/big-trace.ts';

const fixture = new URL('./fixtures/demo-task/', import.meta.url).pathname;

describe('codecrew view in a real browser', () => {
  let browser: Browser;
  let view: { child: ChildProcess; url: string };
  let page: Page;

  beforeAll(async () => {
    ensureViewerBuilt();
    view = await startView(fixture);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (view?.child.pid !== undefined && view.child.exitCode === null) view.child.kill('SIGTERM');
  });

  it('draws one lane per job with the two first coders in parallel, and the plan with every subtask merged', async () => {
    await page.goto(view.url);
    await page.locator('.lane-label .role').nth(5).waitFor();
    const lanes = await page.locator('.lane-label .role').allTextContents();
    expect(lanes).toEqual([
      'planner',
      'coder · title · r0',
      'coder · slug · r0',
      'coder · exports · r0',
      'tester · r0',
      'reviewer · r0',
    ]);
    const bars = await page.locator('.lane-bar').evaluateAll((elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        return { left: box.left, right: box.right };
      }),
    );
    const [title, slug] = [bars[1], bars[2]];
    if (title === undefined || slug === undefined) throw new Error('the coders have no bars');
    expect(title.left < slug.right && slug.left < title.right).toBe(true);
    expect(await page.locator('.plan .node-merged').count()).toBe(3);
    expect(await page.locator('h1#task-title').textContent()).toBe('demo-e2e');
    await page.screenshot({ path: `${SCREENSHOTS}/task-top.png` });
    await page.screenshot({ path: `${SCREENSHOTS}/task.png`, fullPage: true });
  });

  it('labels each hunk of the diff with its subtask and job, highlighted', async () => {
    const labels = await page.locator('.hunk-head .provenance').allTextContents();
    expect(labels).toEqual([
      'written by exports · code-exports-r0',
      'written by slug · code-slug-r0',
      'written by title · code-title-r0',
    ]);
    expect(await page.locator('.line-add .tok-keyword').count()).toBeGreaterThan(0);
    await page.locator('.diff').screenshot({ path: `${SCREENSHOTS}/diff.png` });
  });

  it("opens a command's exit code and output from its mark, by keyboard", async () => {
    const mark = page.locator('#lane-t0mxd7uar78e7aa624f5-code-slug-r0 .mark-command').first();
    await mark.focus();
    await page.keyboard.press('Enter');
    const details = page.locator('aside.details');
    await details.waitFor();
    expect(await details.locator('dd.ok').textContent()).toBe('0');
    expect(await details.locator('pre.terminal').first().textContent()).toContain('hello-world');
    await page.locator('.lanes-and-details').screenshot({ path: `${SCREENSHOTS}/command.png` });
  });

  it('has no serious accessibility violation on the task page (axe-core)', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('lists the task on the tasks page', async () => {
    await page.goto(view.url.replace(/#.*$/, '#/'));
    const row = page.locator('table.tasks tbody tr').first();
    await row.locator('a').waitFor();
    expect(await row.locator('a').textContent()).toBe('demo-e2e');
    expect(await row.locator('.status').textContent()).toBe('approved');
    expect(await row.locator('td').nth(5).textContent()).toBe('3/3');
    await page.screenshot({ path: `${SCREENSHOTS}/tasks.png` });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

describe('codecrew view on an Ask task whose answer has mermaid diagrams', () => {
  let browser: Browser;
  let view: { child: ChildProcess; url: string };

  beforeAll(async () => {
    ensureViewerBuilt();
    view = await startView(new URL('./fixtures/ask-task/', import.meta.url).pathname);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (view?.child.pid !== undefined && view.child.exitCode === null) view.child.kill('SIGTERM');
  });

  it('draws a flowchart as an SVG, and shows the source and the error of one that does not parse', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.goto(view.url);
    const diagram = page.locator('#answer-title ~ .markdown figure.mermaid svg');
    await diagram.waitFor();
    const labels = await diagram.locator('.nodeLabel').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['Browser', 'login route', 'password ok?', 'session store']));
    const failed = page.locator('#answer-title ~ .markdown .mermaid-source');
    await failed.locator('[role=alert]').waitFor();
    expect(await failed.locator('[role=alert]').textContent()).toMatch(
      /^This diagram could not be drawn:\s*Parse error/,
    );
    expect(await failed.locator('pre.lang-mermaid').textContent()).toContain('not a diagram');
    // mermaid is a chunk of its own, fetched from the viewer's server when an answer has a diagram.
    expect(scripts.some((path) => /\/assets\/mermaid\.core-[\w-]+\.js$/.test(path))).toBe(true);
    expect(scripts.every((path) => path.startsWith('/assets/'))).toBe(true);
    await page.locator('#answer-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/ask-mermaid.png`, fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

describe('codecrew view on a trace of 20,000 events', () => {
  let browser: Browser;
  let view: { child: ChildProcess; url: string };
  let dir: string;
  let total: number;

  beforeAll(async () => {
    ensureViewerBuilt();
    dir = mkdtempSync(join(tmpdir(), 'codecrew-viewer-big-'));
    const trace = bigTrace(20_000);
    total = trace.trim().split('\n').length;
    writeFileSync(join(dir, 'trace.jsonl'), trace);
    view = await startView(join(dir, 'trace.jsonl'));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (view?.child.pid !== undefined && view.child.exitCode === null) view.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds every event and keeps the page light: marks merged per pixel column, only visible event rows drawn', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(view.url);
    expect(total).toBeGreaterThanOrEqual(20_000);
    await page.getByText(`${total} events`).waitFor({ timeout: 60_000 });
    expect(await page.locator('.lane').count()).toBe(9);
    const marks = await page.locator('.mark').count();
    expect(marks).toBeGreaterThan(8);
    // At most one mark per lane, kind and 1/400 of the axis, where the trace has 13,000 marks.
    expect(marks).toBeLessThanOrEqual(8 * 2 * 400);
    expect(await page.locator('.event-row').count()).toBeLessThan(60);
    await page.locator('.event-scroll').evaluate((element) => (element.scrollTop = element.scrollHeight));
    await page.getByText('task failed').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/big-trace.png` });
  });
});

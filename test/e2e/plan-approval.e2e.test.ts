import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { isViewerBuilt } from '@codecrew/viewer';
import { TEXTKIT, containersOfTask, git, makeGitRepo, tempDirFor } from '../support/cli.ts';
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
import { until } from '../support/worker-process.ts';

const idOf = (answer: { body: unknown }) => (answer.body as { id: string }).id;
const ENDED = ['approved', 'not_approved', 'failed', 'cancelled', 'budget_exhausted'];

/** The note task of {@link noteTask} with `spec.plan` set to `plan` (YAML flow). */
const heldTask = (name: string, repo: string, plan = '{ approval: required }') =>
  `${noteTask(name, repo)}  plan: ${plan}\n`;

const decide = (url: string, id: string, body: unknown) =>
  api<{ status?: string; error?: { code: string; details: { issues: Array<{ path: string; message: string }> } } }>(
    url,
    `/v1/tasks/${id}/plan`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );

describe('plan approval on codecrew serve', () => {
  it('holds a plan without spending, survives kill -9, refuses a cyclic edit, and ends approved once approved after the restart', async () => {
    const dir = await tempDirFor('plan approval restart');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const script = join(dir, 'note.script.yaml');
    await writeFile(script, NOTE_SCRIPT);
    const args = ['--max-tasks', '1', '--model', `scripted:${script}`, '--data-dir', join(dir, 'data')];
    const first = await startServe(args, { cwd: dir });
    let second: ServeProcess | null = null;
    try {
      const held = idOf(await submitYaml(first.url, heldTask('held', repo)));
      const timed = idOf(
        await submitYaml(first.url, heldTask('timed', repo, '{ approval: required, timeout: 45s, onTimeout: cancel }')),
      );
      const free = idOf(await submitYaml(first.url, noteTask('free', repo)));

      const waiting = await waitForStatus(first.url, held, ['awaiting_approval', ...ENDED]);
      expect(waiting.status).toBe('awaiting_approval');
      expect((waiting['approval'] as { state: string; deadline: string | null }).state).toBe('awaiting');
      expect((await waitForStatus(first.url, timed, ['awaiting_approval', ...ENDED])).status).toBe('awaiting_approval');
      // Tasks awaiting approval hold none of the --max-tasks 1 slots: the later task without approval runs to its end.
      expect((await waitForStatus(first.url, free, ENDED)).status).toBe('approved');

      // Nothing was spent after the plan: no coder job, no container.
      const before = await eventsSoFar(first.url, held);
      expect(before.filter((e) => e.kind === 'job.dispatched').map((e) => e.data['jobId'])).toEqual([`${held}-plan`]);
      expect(before.filter((e) => e.kind === 'plan.awaiting_approval')).toHaveLength(1);
      // The planner's sandbox is removed after its job; none is started for the wait.
      expect(await until(() => containersOfTask(held).length === 0, 60_000)).toBe(true);

      first.child.kill('SIGKILL');
      await first.exited;
      second = await startServe(args, { cwd: dir });
      expect((await api<{ status: string }>(second.url, `/v1/tasks/${held}`)).body.status).toBe('awaiting_approval');

      // An edited plan with a cycle is refused at the field of the cycle; the task goes on waiting.
      const cyclic = await decide(second.url, held, {
        action: 'edit',
        by: 'e2e',
        plan: {
          summary: 'a cycle',
          subtasks: [
            { id: 'a', title: 'A', files: ['notes.txt'], depends_on: ['b'] },
            { id: 'b', title: 'B', files: ['notes.txt'], depends_on: ['a'] },
          ],
        },
      });
      expect(cyclic.status).toBe(400);
      expect(cyclic.body.error?.code).toBe('REQUEST_INVALID');
      expect(cyclic.body.error?.details.issues).toEqual([
        { path: 'plan.subtasks[0].depends_on', message: 'the dependencies form a cycle: a → b → a' },
      ]);
      expect((await api<{ status: string }>(second.url, `/v1/tasks/${held}`)).body.status).toBe('awaiting_approval');

      const approved = await decide(second.url, held, { action: 'approve', by: 'e2e' });
      expect(approved.status).toBe(202);
      const ended = await waitForStatus(second.url, held, ENDED);
      expect(ended.status).toBe('approved');
      expect((ended['approval'] as { state: string; decided_by: string }).state).toBe('approved');
      expect((ended['approval'] as { state: string; decided_by: string }).decided_by).toBe('e2e');
      const events = await eventsSoFar(second.url, held);
      const approvedEvents = events.filter((e) => e.kind === 'plan.approved');
      expect(approvedEvents.map((e) => e.data['by'])).toEqual(['e2e']);
      expect(events.filter((e) => e.kind === 'job.dispatched' && e.data['jobId'] === `${held}-plan`)).toHaveLength(1);
      expect(git(repo, 'show', 'codecrew/held:notes.txt')).toBe('a note');

      // A decision for a task that no longer waits is refused.
      expect((await decide(second.url, held, { action: 'approve' })).status).toBe(409);

      // The wait with a timeout is decided by its onTimeout, counted from when it began (before the restart).
      const cancelled = await waitForStatus(second.url, timed, ENDED, 120_000);
      expect(cancelled.status).toBe('cancelled');
      expect((cancelled['error'] as { code: string }).code).toBe('PLAN_REJECTED');
      const timedEvents = await eventsSoFar(second.url, timed);
      expect(timedEvents.filter((e) => e.kind === 'plan.rejected').map((e) => e.data['by'])).toEqual(['timeout']);
      expect(timedEvents.filter((e) => e.kind === 'job.dispatched').map((e) => e.data['jobId'])).toEqual([
        `${timed}-plan`,
      ]);
    } finally {
      await second?.stop();
      await first.stop('SIGKILL');
    }
  });
});

describe('plan approval in the viewer', () => {
  let serve: ServeProcess;
  let browser: Browser;
  let repo: string;

  beforeAll(async () => {
    expect(isViewerBuilt(), 'the viewer is built by npm run setup').toBe(true);
    const dir = await tempDirFor('plan approval viewer');
    repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const script = join(dir, 'note.script.yaml');
    await writeFile(script, NOTE_SCRIPT);
    serve = await startServe(['--model', `scripted:${script}`, '--data-dir', join(dir, 'data')], { cwd: dir });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows the plan, refuses a cyclic edit with its field, and approves', async () => {
    const id = idOf(await submitYaml(serve.url, heldTask('viewer-held', repo)));
    expect((await waitForStatus(serve.url, id, ['awaiting_approval', ...ENDED])).status).toBe('awaiting_approval');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${serve.url}/#/tasks/${id}`);
    const approval = page.getByRole('region', { name: 'The plan awaits approval' });
    await approval.waitFor();
    expect(await page.locator('#plan-title').textContent()).toBe('Plan');

    await approval.getByRole('button', { name: 'Edit plan' }).click();
    await page.locator('#plan-text').fill(
      JSON.stringify({
        summary: 'a cycle',
        subtasks: [
          { id: 'a', title: 'A', depends_on: ['b'] },
          { id: 'b', title: 'B', depends_on: ['a'] },
        ],
      }),
    );
    await approval.getByRole('button', { name: 'Approve edited plan' }).click();
    const alert = approval.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('li').allTextContents()).toEqual([
      'plan.subtasks[0].depends_on: the dependencies form a cycle: a → b → a',
    ]);

    await approval.getByRole('button', { name: 'Approve plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Plan approved' }).waitFor();
    const ended = await waitForStatus(serve.url, id, ENDED);
    expect(ended.status).toBe('approved');
    expect((ended['approval'] as { decided_by: string }).decided_by).toBe('viewer');
    await page.close();
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskView } from '@codecrew/server';
import { TEXTKIT, git, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';
import { FOLLOWUP_SCRIPT, followupTask as task } from '../support/followup-script.ts';
import { api, eventsSoFar, readSse, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

let dir = '';
let repo = '';
let serve: ServeProcess;
beforeAll(async () => {
  dir = await tempDirFor('followup');
  repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  await writeFile(join(dir, 'followup.script.yaml'), FOLLOWUP_SCRIPT);
  serve = await startServe(
    ['--max-tasks', '2', '--model', `scripted:${join(dir, 'followup.script.yaml')}`, '--data-dir', join(dir, 'data')],
    { cwd: dir },
  );
}, 180_000);
afterAll(async () => {
  await serve?.stop();
});

/** Submits a task and waits for it to be approved; its view. */
async function approvedTask(name: string): Promise<TaskView> {
  const created = await submitYaml(serve.url, task(name, repo));
  expect(created.status).toBe(201);
  const id = (created.body as { id: string }).id;
  expect((await readSse(serve.url, id)).end?.status).toBe('approved');
  return TaskView.parse((await api(serve.url, `/v1/tasks/${id}`)).body);
}

describe('follow-ups', () => {
  it('adds a second commit on the same branch: git log shows the parent commit, then the follow-up', async () => {
    const base = git(repo, 'rev-parse', 'HEAD');
    const first = await approvedTask('first');
    const branch = first.result?.branch ?? '';
    const firstCommit = first.result?.commit ?? '';
    expect(branch).toBe('codecrew/first');
    expect(git(repo, 'rev-parse', `${firstCommit}^`)).toBe(base);

    const created = await api<{ id: string; parent: string; branch: string; base_commit: string }>(
      serve.url,
      `/v1/tasks/${first.id}/followups`,
      json({ prompt: 'Also write more.txt' }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ parent: first.id, branch, base_commit: firstCommit });
    const followupId = created.body.id;
    // The planner's rule answers only when its prompt carries the first task's plan: approved means it did.
    expect((await readSse(serve.url, followupId)).end?.status).toBe('approved');
    const followup = TaskView.parse((await api(serve.url, `/v1/tasks/${followupId}`)).body);
    expect(followup.parent).toBe(first.id);
    expect(followup.result?.branch).toBe(branch);
    const secondCommit = followup.result?.commit ?? '';

    expect(git(repo, 'log', '--format=%H', `${base}..${branch}`).split('\n')).toEqual([secondCommit, firstCommit]);
    expect(git(repo, 'show', `${branch}:more.txt`)).toBe('more');
    expect(git(repo, 'show', `${branch}:alpha.txt`)).toBe('alpha 1\nalpha 2\nalpha 3');
    expect(git(repo, 'branch', '--list', `${branch}-*`)).toBe('');
    const children = await api<{ tasks: Array<{ id: string }> }>(serve.url, `/v1/tasks?parent=${first.id}`);
    expect(children.body.tasks.map((t) => t.id)).toEqual([followupId]);

    // The first task's branch has moved on: following it up again is refused, and nothing changes.
    const stale = await runCli(['followup', first.id, 'Write yet another file', '--server', serve.url]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('[BRANCH_MOVED]');
    expect(git(repo, 'rev-parse', branch)).toBe(secondCommit);
    // Someone moves the branch: the follow-up's own result can no longer be followed up either.
    git(repo, 'branch', '-f', branch, firstCommit);
    const moved = await api<{ error: { code: string } }>(
      serve.url,
      `/v1/tasks/${followupId}/followups`,
      json({ prompt: 'Write yet another file' }),
    );
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('BRANCH_MOVED');
    git(repo, 'branch', '-f', branch, secondCommit);

    const missing = await api<{ error: { code: string } }>(
      serve.url,
      '/v1/tasks/t0nothere/followups',
      json({ prompt: 'x' }),
    );
    expect(missing.status).toBe(404);
    const empty = await api<{ error: { code: string } }>(serve.url, `/v1/tasks/${first.id}/followups`, json({}));
    expect(empty.status).toBe(400);
  });
});

describe('review comments and Revise', () => {
  it("routes a line comment to the subtask that wrote it: only that subtask's coder runs, on the same branch", async () => {
    const first = await approvedTask('commented');
    const branch = first.result?.branch ?? '';
    const firstCommit = first.result?.commit ?? '';

    const bad = await api<{ error: { code: string; details: { issues: Array<{ path: string }> } } }>(
      serve.url,
      `/v1/tasks/${first.id}/comments`,
      json([
        { path: 'alpha.txt', line: 2, body: 'fine' },
        { path: 'src/nothere.js', line: 1, body: 'not in the diff' },
        { path: 'beta.txt', line: 9, body: 'past the hunk' },
      ]),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('REQUEST_INVALID');
    expect(bad.body.error.details.issues.map((issue) => issue.path)).toEqual(['[1].path', '[2].line']);
    expect((await api<{ comments: unknown[] }>(serve.url, `/v1/tasks/${first.id}/comments`)).body.comments).toEqual([]);

    const added = await runCli(['comment', first.id, 'alpha.txt:2', 'Say what alpha 2 is for.', '--server', serve.url]);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe('1 alpha.txt:2\n');

    const revised = await api<{ id: string; routes: Array<{ comment: number; subtask: string; by: string }> }>(
      serve.url,
      `/v1/tasks/${first.id}/revise`,
      { method: 'POST' },
    );
    expect(revised.status).toBe(201);
    expect(revised.body.routes).toEqual([{ comment: 1, subtask: 'alpha', by: 'provenance' }]);
    const revisionId = revised.body.id;
    expect((await readSse(serve.url, revisionId)).end?.status).toBe('approved');

    // The trace: no planner, one coder job, alpha's, sent as a fix; beta's coder got none.
    const events = await eventsSoFar(serve.url, revisionId);
    const dispatched = events.filter((event) => event.kind === 'job.dispatched').map((event) => event.data);
    expect(dispatched.filter((job) => job['role'] === 'planner')).toEqual([]);
    expect(dispatched.filter((job) => job['role'] === 'coder').map((job) => job['subtaskId'])).toEqual(['alpha']);
    const revision = TaskView.parse((await api(serve.url, `/v1/tasks/${revisionId}`)).body);
    expect(revision.parent).toBe(first.id);
    expect(revision.plan?.subtasks.map((s) => s.id)).toEqual(['alpha']);
    expect(revision.result?.branch).toBe(branch);
    const revisionCommit = revision.result?.commit ?? '';
    expect(git(repo, 'rev-parse', `${revisionCommit}^`)).toBe(firstCommit);
    expect(git(repo, 'show', `${branch}:alpha.txt`)).toBe('alpha 1\nalpha 2, as the user asked\nalpha 3');
    expect(git(repo, 'show', `${branch}:beta.txt`)).toBe('beta 1\nbeta 2');

    const comments = await api<{ comments: Array<{ id: number; revision: string | null }> }>(
      serve.url,
      `/v1/tasks/${first.id}/comments`,
    );
    expect(comments.body.comments.map((c) => [c.id, c.revision])).toEqual([[1, revisionId]]);
    const again = await api<{ error: { code: string } }>(serve.url, `/v1/tasks/${first.id}/revise`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
  });
});

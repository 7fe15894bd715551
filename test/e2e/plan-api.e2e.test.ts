import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '@codecrew/server';
import { api, startInProcessServer, submitYaml, waitForStatus, type InProcessServer } from '../support/serve.ts';

let s: InProcessServer;
beforeAll(async () => {
  s = await startInProcessServer('plan api', { maxTasks: 1 });
});
afterAll(async () => {
  await s?.close();
});

const post = (id: string, body: unknown, contentType = 'application/json') =>
  api(s.url, `/v1/tasks/${id}/plan`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function errorOf(answer: { status: number; body: unknown }) {
  const { error } = ErrorBody.parse(answer.body);
  const issues = (error.details['issues'] as Array<{ path: string; message: string }> | undefined) ?? [];
  return { status: answer.status, code: error.code, issues };
}

describe('POST /v1/tasks/{id}/plan', () => {
  let running = '';
  const waiting = 't_plan_api_waiting';

  beforeAll(async () => {
    // No worker serves this bus: the submitted task takes the only slot and waits for its planner.
    running = String((await submitYaml(s.url, s.taskYaml('running', '  plan: { approval: required }\n'))).body['id']);
    await waitForStatus(s.url, running, ['running']);
    // A task as the runner leaves one whose plan awaits a decision.
    await s.store.createTask({
      id: waiting,
      name: 'waiting',
      repo: s.repo,
      spec: {
        apiVersion: 'codecrew/v1',
        kind: 'Task',
        metadata: { name: 'waiting' },
        spec: { repo: { path: s.repo }, prompt: 'p', plan: { approval: 'required' } },
      },
    });
    await s.store.updateTask(waiting, {
      status: 'awaiting_approval',
      summary: {
        plan: null,
        subtasks: [],
        usage: { tokens: 0, costUsd: 0, modelCalls: 0 },
        tests: null,
        review: null,
        result: null,
        approval: {
          state: 'awaiting',
          since: '2026-01-01T00:00:00.000Z',
          deadline: null,
          onTimeout: 'cancel',
          decision: null,
          decidedBy: null,
          decidedAt: null,
          reason: null,
        },
      },
    });
  });

  it('refuses an edited plan with a cycle at its field, and one that is not a plan at each field', async () => {
    const cyclic = await post(waiting, {
      action: 'edit',
      plan: {
        summary: 'loop',
        subtasks: [
          { id: 'a', title: 'A', depends_on: ['b'] },
          { id: 'b', title: 'B', depends_on: ['a'] },
        ],
      },
    });
    expect(errorOf(cyclic)).toEqual({
      status: 400,
      code: 'REQUEST_INVALID',
      issues: [{ path: 'plan.subtasks[0].depends_on', message: 'the dependencies form a cycle: a → b → a' }],
    });
    const shapeless = await post(waiting, { action: 'edit', plan: { summary: 'x', subtasks: [{ id: 'no spaces' }] } });
    expect(
      errorOf(shapeless)
        .issues.map((issue) => issue.path)
        .sort(),
    ).toEqual(['plan.subtasks[0].id', 'plan.subtasks[0].title']);
    expect(errorOf(await post(waiting, { action: 'maybe' })).code).toBe('REQUEST_INVALID');
    expect(errorOf(await post(waiting, '{', 'application/json')).code).toBe('REQUEST_INVALID');
    expect(errorOf(await post(waiting, 'approve', 'text/plain'))).toMatchObject({
      status: 415,
      code: 'MEDIA_TYPE_UNSUPPORTED',
    });
    expect((await api<{ status: string }>(s.url, `/v1/tasks/${waiting}`)).body.status).toBe('awaiting_approval');
  });

  it('takes an approval (as YAML too), queues the task with it, and refuses a second decision', async () => {
    const approved = await post(waiting, 'action: approve\nby: ana\nreason: fine\n', 'application/yaml');
    expect(approved.status).toBe(202);
    expect(approved.body).toMatchObject({
      id: waiting,
      status: 'queued',
      approval: { state: 'awaiting', decided_by: 'ana', reason: 'fine', deadline: null, on_timeout: 'cancel' },
    });
    expect(errorOf(await post(waiting, { action: 'approve' }))).toMatchObject({
      status: 409,
      code: 'TASK_NOT_AWAITING_APPROVAL',
    });
  });

  it('answers 409 for a task that is not awaiting approval and 404 for an unknown one', async () => {
    expect(errorOf(await post(running, { action: 'reject' }))).toMatchObject({
      status: 409,
      code: 'TASK_NOT_AWAITING_APPROVAL',
    });
    expect(errorOf(await post('t_unknown', { action: 'reject' }))).toMatchObject({
      status: 404,
      code: 'TASK_NOT_FOUND',
    });
  });

  it('is described in /openapi.json', async () => {
    const { body } = await api<{ paths: Record<string, Record<string, { operationId: string }>> }>(
      s.url,
      '/openapi.json',
    );
    expect(body.paths['/v1/tasks/{id}/plan']?.['post']?.operationId).toBe('decidePlan');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '@codecrew/server';
import {
  api,
  eventsSoFar,
  startInProcessServer,
  submitYaml,
  waitForStatus,
  type InProcessServer,
} from '../support/serve.ts';
import { until } from '../support/worker-process.ts';

let s: InProcessServer;
beforeAll(async () => {
  s = await startInProcessServer('steer api', { maxTasks: 1 });
});
afterAll(async () => {
  await s?.close();
});

const post = (id: string, body: unknown, contentType = 'application/json') =>
  api(s.url, `/v1/tasks/${id}/messages`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The API's error code and, when there are any, the field paths of its problems. */
function errorOf(answer: { status: number; body: unknown }) {
  const { error } = ErrorBody.parse(answer.body);
  const issues = (error.details['issues'] as Array<{ path: string }> | undefined) ?? [];
  return { status: answer.status, code: error.code, paths: issues.map((issue) => issue.path) };
}

describe('POST /v1/tasks/{id}/messages', () => {
  let id = '';
  beforeAll(async () => {
    const created = await submitYaml(s.url, s.taskYaml('steered'));
    id = String(created.body['id']);
    // No worker serves this bus: the task runs and waits for its planner.
    await waitForStatus(s.url, id, ['running']);
  });

  it('stores a message to the task on the bus for its jobs and writes a user.message event', async () => {
    const sent = await post(id, { text: '  keep the public API unchanged ' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      task_id: id,
      to: 'task',
      target: 'task',
      text: 'keep the public API unchanged',
      running: [],
    });
    const messageId = String(sent.body['id']);
    const stored = await s.bus.readSteering(id, 0);
    expect(stored.map((entry) => entry.message)).toEqual([
      { id: messageId, taskId: id, text: 'keep the public API unchanged', to: { kind: 'task' }, at: sent.body['at'] },
    ]);
    const logged = async () => (await eventsSoFar(s.url, id)).filter((event) => event.kind === 'user.message');
    expect(await until(async () => (await logged()).length === 1, 30_000)).toBe(true);
    expect((await logged())[0]?.data).toEqual({
      messageId,
      text: 'keep the public API unchanged',
      to: 'task',
      target: 'task',
      running: [],
    });
  });

  it('refuses a bad body with the field of each problem', async () => {
    expect(errorOf(await post(id, { text: '', to: 'no such thing', more: true }))).toEqual({
      status: 400,
      code: 'REQUEST_INVALID',
      paths: ['text', 'to', '(root)'],
    });
    expect(errorOf(await post(id, { text: 'hi', to: 's1' }))).toEqual({
      status: 400,
      code: 'REQUEST_INVALID',
      paths: ['to'],
    });
    expect(errorOf(await post(id, '{"text":'))).toEqual({ status: 400, code: 'REQUEST_INVALID', paths: ['(root)'] });
    expect(errorOf(await post(id, 'text: hi', 'application/yaml'))).toEqual({
      status: 415,
      code: 'MEDIA_TYPE_UNSUPPORTED',
      paths: [],
    });
  });

  it('answers 404 for an unknown task and 409 once the task has ended', async () => {
    expect(errorOf(await post('t_nothing', { text: 'hi' }))).toEqual({
      status: 404,
      code: 'TASK_NOT_FOUND',
      paths: [],
    });
    await api(s.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
    await waitForStatus(s.url, id, ['cancelled']);
    expect(errorOf(await post(id, { text: 'hi' }))).toEqual({ status: 409, code: 'TASK_ENDED', paths: [] });
  });

  it('is described in /openapi.json from its zod schemas', async () => {
    const { body } = await api<{ paths: Record<string, Record<string, { requestBody?: unknown; responses: object }>> }>(
      s.url,
      '/openapi.json',
    );
    const operation = body.paths['/v1/tasks/{id}/messages']?.['post'];
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['202', '400', '401', '404', '409', '415']);
    expect(JSON.stringify(operation?.requestBody)).toContain('"text"');
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CodecrewError, TaskSpec } from '@codecrew/core';
import { ErrorBody, TaskCreated, TaskList, TaskView, startServer } from '@codecrew/server';
import { openTaskStore } from '@codecrew/store';
import {
  api,
  eventsSoFar,
  readSse,
  startInProcessServer,
  submitYaml,
  waitForStatus,
  type InProcessServer,
} from '../support/serve.ts';

let s: InProcessServer;
beforeAll(async () => {
  s = await startInProcessServer('serve api', {
    maxTasks: 1,
    heartbeatMs: 300,
    // A task named "fails" fails before it runs: how an ended task that is not cancelled is made here.
    prepareTask: async (task) => {
      if (task.name === 'fails') throw new CodecrewError('SCRIPT_INVALID', 'this task fails before it starts');
      return { task, close: async () => undefined };
    },
  });
});
afterAll(async () => {
  await s?.close();
});

/** Asserts the API's error shape and code, and returns the error. */
function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  const body = ErrorBody.parse(answer.body);
  expect(body.error.code).toBe(code);
  return body.error;
}

describe('codecrew serve: tasks', () => {
  let first = '';
  it('queues a task sent as YAML, answers 201 with its id and links, and shows it as the issue describes', async () => {
    const created = await submitYaml(s.url, s.taskYaml('first'));
    expect(created.status).toBe(201);
    const body = TaskCreated.parse(created.body);
    expect(body.status).toBe('queued');
    expect(body.links.self).toBe(`/v1/tasks/${body.id}`);
    expect(created.headers.get('location')).toBe(body.links.self);
    first = body.id;
    // No worker serves this bus: the task is claimed and waits for its planner.
    const running = TaskView.parse(await waitForStatus(s.url, first, ['running']));
    expect(running).toMatchObject({ id: first, name: 'first', repo: s.repo, cancel_requested: false, result: null });
    expect(running.spec.spec.repo.path).toBe(s.repo);
    expect(running.started_at).not.toBeNull();
  });

  it('takes the same task as JSON, and lists tasks newest first with filters and cursor pages', async () => {
    const spec = {
      apiVersion: 'codecrew/v1',
      kind: 'Task',
      metadata: { name: 'second' },
      spec: { repo: { path: s.repo }, prompt: 'x' },
    };
    const created = await api(s.url, '/v1/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
    expect(created.status).toBe(201);
    const second = TaskCreated.parse(created.body).id;
    const third = TaskCreated.parse((await submitYaml(s.url, s.taskYaml('third'))).body).id;

    const all = TaskList.parse((await api(s.url, '/v1/tasks')).body);
    expect(all.tasks.map((t) => t.id).slice(0, 3)).toEqual([third, second, first]);
    // maxTasks 1: the first runs, the others wait.
    const queued = TaskList.parse((await api(s.url, '/v1/tasks?status=queued')).body);
    expect(queued.tasks.map((t) => t.id)).toEqual([third, second]);
    const named = TaskList.parse((await api(s.url, '/v1/tasks?name=second')).body);
    expect(named.tasks.map((t) => t.id)).toEqual([second]);
    const byRepo = TaskList.parse((await api(s.url, `/v1/tasks?repo=${encodeURIComponent(s.repo)}&limit=500`)).body);
    expect(byRepo.tasks.map((t) => t.id)).toContain(first);

    const page1 = TaskList.parse((await api(s.url, '/v1/tasks?limit=2')).body);
    expect(page1.tasks.map((t) => t.id)).toEqual([third, second]);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = TaskList.parse((await api(s.url, `/v1/tasks?limit=2&cursor=${page1.next_cursor}`)).body);
    expect(page2.tasks.map((t) => t.id)[0]).toBe(first);

    // Clean up: both queued ones are cancelled before they start.
    for (const id of [second, third]) {
      const cancelled = TaskView.parse((await api(s.url, `/v1/tasks/${id}/cancel`, { method: 'POST' })).body);
      expect(cancelled).toMatchObject({ status: 'cancelled', started_at: null, cancel_requested: true });
    }
  });

  it('returns the same task for the same Idempotency-Key, and a new one for another key', async () => {
    const key = { 'idempotency-key': 'retry-1234' };
    const a = await submitYaml(s.url, s.taskYaml('idem'), key);
    const b = await submitYaml(s.url, s.taskYaml('idem'), key);
    const c = await submitYaml(s.url, s.taskYaml('idem'), { 'idempotency-key': 'retry-5678' });
    expect([a.status, b.status, c.status]).toEqual([201, 200, 201]);
    const [ida, idb, idc] = [a, b, c].map((answer) => TaskCreated.parse(answer.body).id);
    expect(idb).toBe(ida);
    expect(idc).not.toBe(ida);
    expect(TaskList.parse((await api(s.url, '/v1/tasks?name=idem')).body).tasks).toHaveLength(2);
    for (const id of [ida, idc]) await api(s.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
  });

  it('cancels a running task through the orchestrator: its events end with task.finished, status cancelled', async () => {
    const answer = await api(s.url, `/v1/tasks/${first}/cancel`, { method: 'POST' });
    expect(answer.status).toBe(200);
    const task = TaskView.parse(answer.body);
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('CANCELLED');
    const events = await eventsSoFar(s.url, first);
    expect(events.at(-1)).toMatchObject({ kind: 'task.finished', data: { status: 'cancelled' } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.kind === 'job.dispatched' && e.data['role'] === 'planner')).toBe(true);
  });

  it('deletes an ended task with its events and outputs; a queued or running one is 409 until it ends', async () => {
    const id = TaskCreated.parse((await submitYaml(s.url, s.taskYaml('doomed'))).body).id;
    const running = await waitForStatus(s.url, id, ['running']);
    expectError(await api(s.url, `/v1/tasks/${id}`, { method: 'DELETE' }), 409, 'TASK_NOT_ENDED');
    expectError(await api(s.url, `/v1/tasks/${id}/diff`), 409, 'RESULT_NOT_READY');
    expectError(await api(s.url, `/v1/tasks/${id}/report`), 409, 'RESULT_NOT_READY');
    expect(running.status).toBe('running');
    await api(s.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
    const record = await s.store.getTask(id);
    expect(record?.outDir && existsSync(record.outDir)).toBe(true);
    const deleted = await fetch(`${s.url}/v1/tasks/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(existsSync(record?.outDir ?? '')).toBe(false);
    expectError(await api(s.url, `/v1/tasks/${id}`), 404, 'TASK_NOT_FOUND');
    expect(await s.store.readEvents(id, 0, 10)).toEqual([]);
  });

  it('answers a task that failed before it started: failed with its error; cancel is 409, diff 409', async () => {
    const id = TaskCreated.parse((await submitYaml(s.url, s.taskYaml('fails'))).body).id;
    const task = TaskView.parse(await waitForStatus(s.url, id, ['failed']));
    expect(task.error).toMatchObject({ code: 'SCRIPT_INVALID', message: 'this task fails before it starts' });
    expect((await eventsSoFar(s.url, id)).at(-1)?.kind).toBe('task.finished');
    expectError(await api(s.url, `/v1/tasks/${id}/cancel`, { method: 'POST' }), 409, 'TASK_ENDED');
    expectError(await api(s.url, `/v1/tasks/${id}/diff`), 409, 'RESULT_NOT_READY');
    expect((await fetch(`${s.url}/v1/tasks/${id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('codecrew serve: the event stream', () => {
  it('sends every event from the first, and a reconnect with Last-Event-ID continues with no gap and no repeat', async () => {
    const id = TaskCreated.parse((await submitYaml(s.url, s.taskYaml('stream'))).body).id;
    await waitForStatus(s.url, id, ['running']);
    // Wait until the planner job is sent: the events before it are stored.
    for (let i = 0; i < 100 && !(await eventsSoFar(s.url, id)).some((e) => e.kind === 'job.dispatched'); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const firstPart = await readSse(s.url, id, { stopAfter: 3 });
    expect(firstPart.ids).toEqual([1, 2, 3]);
    expect(firstPart.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(firstPart.events[0]?.kind).toBe('task.started');

    // The second connection continues after 3, waits (heartbeats), and ends when the task does.
    const rest = readSse(s.url, id, { lastEventId: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await api(s.url, `/v1/tasks/${id}/cancel`, { method: 'POST' });
    const secondPart = await rest;
    expect(secondPart.heartbeats).toBeGreaterThan(0);
    expect(secondPart.end).toMatchObject({ status: 'cancelled' });
    const all = await eventsSoFar(s.url, id);
    expect([...firstPart.ids, ...secondPart.ids]).toEqual(all.map((e) => e.seq));
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(secondPart.end?.last_seq).toBe(all.length);
    expect(secondPart.events.at(-1)?.kind).toBe('task.finished');

    // An ended task's stream sends what is after Last-Event-ID, then ends at once.
    const replay = await readSse(s.url, id, { lastEventId: all.length - 2 });
    expect(replay.ids).toEqual([all.length - 1, all.length]);
    expect(replay.end?.status).toBe('cancelled');
    // ?format=jsonl and ?after= give the same as Accept: application/x-ndjson and Last-Event-ID.
    const text = await (await fetch(`${s.url}/v1/tasks/${id}/events?format=jsonl&after=${all.length - 1}`)).text();
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { seq: number }).seq),
    ).toEqual([all.length]);
  });
});

describe('codecrew serve: errors', () => {
  it('refuses a bad task with every problem: field paths, and line:column for YAML', async () => {
    const yaml = [
      'apiVersion: codecrew/v1',
      'kind: Task',
      'metadata: { name: Not_A_Name }',
      'spec:',
      '  repo: { path: ./repo }',
      '  prompt: ""',
      '  parallelism: 0',
      '  colour: blue',
      '',
    ].join('\n');
    const error = expectError(await submitYaml(s.url, yaml), 400, 'SPEC_INVALID');
    const issues = error.details['issues'] as Array<{ path: string; line: number; column: number; message: string }>;
    expect(issues.map((i) => i.path).sort()).toEqual(['metadata.name', 'spec', 'spec.parallelism', 'spec.prompt']);
    expect(issues.find((i) => i.path === 'spec')).toMatchObject({
      line: 8,
      column: 3,
      message: 'unknown field(s) "colour"',
    });
    expect(issues.find((i) => i.path === 'spec.parallelism')).toMatchObject({ line: 7, column: 16 });

    const broken = expectError(await submitYaml(s.url, 'spec: [unclosed\n'), 400, 'YAML_INVALID');
    expect((broken.details['issues'] as Array<{ line: number }>)[0]?.line).toBeGreaterThan(0);

    const json = expectError(
      await api(s.url, '/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'codecrew/v1',
          kind: 'Task',
          metadata: { name: 'x' },
          spec: { repo: {}, prompt: 'p', extra: 1 },
        }),
      }),
      400,
      'SPEC_INVALID',
    );
    expect((json.details['issues'] as Array<{ path: string }>).map((i) => i.path).sort()).toEqual([
      'spec',
      'spec.repo.path',
    ]);
    const syntax = expectError(
      await api(s.url, '/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{\n  "a": }',
      }),
      400,
      'REQUEST_INVALID',
    );
    expect(syntax.details['issues']).toEqual([expect.objectContaining({ path: '(json)', line: 2 })]);

    expectError(await submitYaml(s.url, s.taskYaml('norepo').replace('./repo', './missing')), 400, 'REPO_INVALID');
    expectError(await submitYaml(s.url, ''), 400, 'REQUEST_INVALID');
    expectError(await submitYaml(s.url, s.taskYaml('x'), { 'idempotency-key': 'has space' }), 400, 'REQUEST_INVALID');
  });

  it('answers 413 past the body limit, 415 for other media types, 400 for bad queries and cursors', async () => {
    const big = s.taskYaml('big') + `  # ${'x'.repeat(70 * 1024)}\n`;
    expectError(await submitYaml(s.url, big), 413, 'BODY_TOO_LARGE');
    expectError(
      await api(s.url, '/v1/tasks', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }),
      415,
      'MEDIA_TYPE_UNSUPPORTED',
    );
    const query = expectError(await api(s.url, '/v1/tasks?status=done&limit=0&colour=1'), 400, 'REQUEST_INVALID');
    expect((query.details['issues'] as Array<{ path: string }>).map((i) => i.path).sort()).toEqual([
      '(root)',
      'limit',
      'status',
    ]);
    expectError(await api(s.url, '/v1/tasks?cursor=bm90LWEtY3Vyc29y'), 400, 'CURSOR_INVALID');
    const id = (await s.store.listTasks({ limit: 1 })).tasks[0]?.id ?? 'none';
    expectError(
      await api(s.url, `/v1/tasks/${id}/events`, { headers: { 'last-event-id': 'abc' } }),
      400,
      'REQUEST_INVALID',
    );
    expectError(await api(s.url, '/v1/tasks/bad%20id'), 400, 'REQUEST_INVALID');
  });

  it('answers 404 for unknown tasks, jobs and routes', async () => {
    for (const [method, path] of [
      ['GET', '/v1/tasks/t0nothere'],
      ['GET', '/v1/tasks/t0nothere/events'],
      ['GET', '/v1/tasks/t0nothere/diff'],
      ['GET', '/v1/tasks/t0nothere/report.md'],
      ['POST', '/v1/tasks/t0nothere/cancel'],
      ['DELETE', '/v1/tasks/t0nothere'],
    ] as const) {
      expectError(await api(s.url, path, { method }), 404, 'TASK_NOT_FOUND');
    }
    const id = (await s.store.listTasks({ limit: 1 })).tasks[0]?.id ?? 'none';
    expectError(await api(s.url, `/v1/tasks/${id}/jobs/${id}-plan/log`), 404, 'JOB_NOT_FOUND');
    expectError(await api(s.url, `/v1/tasks/${id}/jobs/other-plan/log`), 404, 'JOB_NOT_FOUND');
    expectError(await api(s.url, '/v2/tasks'), 404, 'ROUTE_NOT_FOUND');
    expectError(await api(s.url, '/v1/tasks', { method: 'PUT' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('reports NATS and the database in /healthz, and 503 while no worker serves the bus', async () => {
    const answer = await api<{ status: string; checks: Record<string, { ok: boolean }> }>(s.url, '/healthz');
    expect(answer.status).toBe(503);
    expect(answer.body.status).toBe('degraded');
    expect(answer.body.checks).toMatchObject({ nats: { ok: true }, database: { ok: true }, worker: { ok: false } });
  });
});

describe('codecrew serve: security and the description', () => {
  it("needs Authorization: Bearer on every API request when it has a token (the viewer's files load without it), and a token to bind beyond loopback", async () => {
    const token = 'secret-token-0123456789';
    const options = await secondServer(s);
    const guarded = await startServer({ ...options, token, port: 0 });
    try {
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong' },
        { authorization: token },
        { authorization: `Basic ${token}` },
      ];
      for (const headers of attempts) {
        const answer = await api(guarded.url, '/v1/tasks', { headers });
        expectError(answer, 401, 'AUTH_REQUIRED');
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
        expect(JSON.stringify(answer.body)).not.toContain(token);
      }
      expectError(await api(guarded.url, '/openapi.json'), 401, 'AUTH_REQUIRED');
      const ok = await api(guarded.url, '/v1/tasks', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      // The viewer's files carry no data and load without the token; what they call under /v1 needs it.
      const index = await fetch(`${guarded.url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const script = /<script[^>]+src="\.?\/?(assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${guarded.url}/${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expectError(await api(guarded.url, '/assets/..%2fpackage.json'), 404, 'ROUTE_NOT_FOUND');
      expectError(await api(guarded.url, '/index.html'), 401, 'AUTH_REQUIRED');
    } finally {
      await guarded.close();
      await options.store.close();
    }
    await expect(startServer({ ...options, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'USAGE_INVALID',
    });
  });

  it('refuses paths outside server.allowedRepoRoots', async () => {
    const fenced = await startInProcessServer('serve allowed roots', { allowedRepoRoots: ['/nonexistent-root'] });
    try {
      const error = expectError(await submitYaml(fenced.url, fenced.taskYaml('fenced')), 403, 'REPO_NOT_ALLOWED');
      expect(error.details['issues']).toEqual([expect.objectContaining({ path: 'spec.repo.path' })]);
    } finally {
      await fenced.close();
    }
  });

  it('describes itself in OpenAPI 3.1 made from the zod schemas it validates with', async () => {
    const { status, body } = await api<{
      openapi: string;
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
      components: { schemas: Record<string, unknown> };
    }>(s.url, '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths).sort()).toEqual([
      '/healthz',
      '/openapi.json',
      '/v1/tasks',
      '/v1/tasks/events',
      '/v1/tasks/{id}',
      '/v1/tasks/{id}/cancel',
      '/v1/tasks/{id}/comments',
      '/v1/tasks/{id}/diff',
      '/v1/tasks/{id}/events',
      '/v1/tasks/{id}/followups',
      '/v1/tasks/{id}/jobs/{jobId}/log',
      '/v1/tasks/{id}/messages',
      '/v1/tasks/{id}/plan',
      '/v1/tasks/{id}/push',
      '/v1/tasks/{id}/report',
      '/v1/tasks/{id}/report.md',
      '/v1/tasks/{id}/revise',
      '/v1/tasks/{id}/webhooks',
    ]);
    expect(Object.keys(body.paths['/v1/tasks'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(body.paths['/v1/tasks']?.['get']?.parameters?.map((p) => p.name)).toEqual([
      'status',
      'name',
      'repo',
      'parent',
      'limit',
      'cursor',
    ]);
    const { $schema: _schema, ...taskSpec } = z.toJSONSchema(TaskSpec, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
    });
    expect(body.components.schemas['TaskSpec']).toEqual(taskSpec);
    expect(Object.keys(body.components.schemas)).toEqual(
      expect.arrayContaining(['TaskSpec', 'TaskView', 'TaskList', 'TaskCreated', 'EventLine', 'Error', 'Health']),
    );
  });
});

/** Options for a second server on the same bus, with its own data directory and store. */
async function secondServer(server: InProcessServer) {
  const config = { ...server.config, dataDir: join(server.dir, 'second') };
  return { config, store: await openTaskStore({ dataDir: config.dataDir }), bus: server.bus, cwd: server.dir };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startViewServer } from '../src/view/server.ts';
import { readTaskFolder } from '../src/view/task-folder.ts';

const FIXTURE = fileURLToPath(new URL('../../viewer/test/fixtures/demo-task/', import.meta.url));
const ID = 't0mxd7uar78e7aa624f5';

describe('the codecrew view server', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const started = await startViewServer(readTaskFolder(FIXTURE));
    server = started.server;
    base = started.url.replace(/\/#.*$/, '');
    expect(started.url).toBe(`${base}/#/tasks/${ID}`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lists its one task in the API shape, made from report.json', async () => {
    const body = (await (await fetch(`${base}/v1/tasks`)).json()) as {
      tasks: Record<string, unknown>[];
      next_cursor: null;
    };
    expect(body.next_cursor).toBeNull();
    expect(body.tasks).toHaveLength(1);
    expect(body.tasks[0]).toMatchObject({
      id: ID,
      name: 'demo-e2e',
      status: 'approved',
      subtasks: [
        { id: 'slug', status: 'merged', attempts: 1 },
        { id: 'title', status: 'merged', attempts: 1 },
        { id: 'exports', status: 'merged', attempts: 1 },
      ],
      usage: { tokens: 17_680, model_calls: 17 },
      result: { branch: 'codecrew/demo-e2e', tests: { passed: 7, failed: 0 }, review: { verdict: 'approve' } },
    });
  });

  it('streams the events after Last-Event-ID with their sequence numbers, then an end message', async () => {
    const text = await (await fetch(`${base}/v1/tasks/${ID}/events`, { headers: { 'last-event-id': '114' } })).text();
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((match) => match[1])).toEqual(['115', '116']);
    expect(text).toMatch(/event: end\ndata: \{"last_seq":116\}\n\n$/);
    const lines = (await (await fetch(`${base}/v1/tasks/${ID}/events?format=jsonl`)).text()).trim().split('\n');
    expect(lines).toHaveLength(116);
    expect(JSON.parse(lines[115] as string)).toMatchObject({ seq: 116, kind: 'task.finished' });
  });

  it("serves the diff, the report and a job's commands", async () => {
    const diff = await fetch(`${base}/v1/tasks/${ID}/diff`);
    expect(diff.headers.get('content-type')).toContain('text/x-diff');
    expect(await diff.text()).toContain('diff --git a/src/slug.js b/src/slug.js');
    expect(((await (await fetch(`${base}/v1/tasks/${ID}/report`)).json()) as { taskId: string }).taskId).toBe(ID);
    const log = await (await fetch(`${base}/v1/tasks/${ID}/jobs/${ID}-code-slug-r0/log`)).text();
    expect(log).toContain('hello-world');
    expect(log).toContain('[exit 0]');
    expect(await (await fetch(`${base}/v1/tasks/${ID}/jobs/${ID}-test-r0/log`)).text()).toContain('# pass 7');
  });

  it('answers other tasks, writes and unknown paths with the API error shape, and serves nothing outside the viewer', async () => {
    const other = await fetch(`${base}/v1/tasks/nope`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
    const post = await fetch(`${base}/v1/tasks/${ID}/cancel`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect((await fetch(`${base}/v1/tasks/${ID}/jobs/nope/log`)).status).toBe(404);
    expect((await fetch(`${base}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${base}/v1/tasks/${ID}/report.md`)).status).toBe(409);
  });
});

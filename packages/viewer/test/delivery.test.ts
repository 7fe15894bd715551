import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../src/data/api.ts';
import {
  defaultRemote,
  describeError,
  listWebhookDeliveries,
  pullRequestOf,
  pushTask,
  sendFollowup,
  type WebhookDelivery,
} from '../src/data/delivery.ts';
import { FollowupForm, PullRequestLine, PushForm } from '../src/app/DeliveryPanel.tsx';
import { WebhookTable } from '../src/app/WebhookTable.tsx';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** An API on 127.0.0.1 that answers every request with `answer`, keeping what it was sent. */
async function fakeApi(answer: (seen: Seen) => { status: number; body: unknown }) {
  const seen: Seen[] = [];
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const one: Seen = {
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(one);
      const { status, body } = answer(one);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { api: new ApiClient(`http://127.0.0.1:${port}`), seen };
}

const retried: WebhookDelivery = {
  id: 'whd_1',
  event: 'task.ended',
  url: 'http://127.0.0.1:9/hook',
  status: 'delivered',
  created_at: '2026-12-07T16:02:11.120Z',
  next_attempt_at: null,
  attempts: [
    { attempt: 1, at: '2026-12-07T16:02:11.125Z', status_code: 500, error: 'HTTP 500', duration_ms: 4 },
    { attempt: 2, at: '2026-12-07T16:02:12.125Z', status_code: 500, error: 'HTTP 500', duration_ms: 4 },
    { attempt: 3, at: '2026-12-07T16:02:14.125Z', status_code: 204, error: null, duration_ms: 3 },
  ],
};
const unreachable: WebhookDelivery = {
  ...retried,
  id: 'whd_2',
  event: 'task.started',
  status: 'failed',
  attempts: [{ attempt: 1, at: '2026-12-07T16:02:11.125Z', status_code: null, error: 'ECONNREFUSED', duration_ms: 1 }],
};

describe('delivery data', () => {
  it('pushes to the remote named, as JSON, and reads what was pushed', async () => {
    const { api, seen } = await fakeApi(() => ({
      status: 200,
      body: { remote: 'backup', branch: 'codecrew/x', commit: 'abc123' },
    }));
    await expect(pushTask(api, 't 1', 'backup')).resolves.toEqual({
      remote: 'backup',
      branch: 'codecrew/x',
      commit: 'abc123',
    });
    expect(seen).toEqual([
      { method: 'POST', url: '/v1/tasks/t%201/push', contentType: 'application/json', body: '{"remote":"backup"}' },
    ]);
  });

  it("throws a refused push as PUSH_FAILED with git's message", async () => {
    const message = ' ! [rejected] codecrew/x -> codecrew/x (fetch first)\nerror: failed to push some refs';
    const { api } = await fakeApi(() => ({ status: 502, body: { error: { code: 'PUSH_FAILED', message } } }));
    const refused = await pushTask(api, 't1', 'origin').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('PUSH_FAILED');
    expect(describeError(refused)).toBe(`PUSH_FAILED: ${message}`);
  });

  it('lists the webhook deliveries, and none where the API has no such route', async () => {
    const listed = await fakeApi(() => ({ status: 200, body: { deliveries: [retried] } }));
    await expect(listWebhookDeliveries(listed.api, 't1')).resolves.toEqual([retried]);
    expect(listed.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /v1/tasks/t1/webhooks']);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const missing = await fakeApi(() => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'no' } } }));
    await expect(listWebhookDeliveries(missing.api, 't1')).resolves.toBeNull();
  });

  it('sends a follow-up prompt and reads the new task', async () => {
    const { api, seen } = await fakeApi(() => ({
      status: 201,
      body: { id: 't2', status: 'queued', parent: 't1', branch: 'codecrew/x', base_commit: 'abc' },
    }));
    await expect(sendFollowup(api, 't1', 'Also write more.txt')).resolves.toMatchObject({ id: 't2', parent: 't1' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/tasks/t1/followups' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ prompt: 'Also write more.txt' });
  });

  it("takes the default remote from the spec's output.push, else origin", () => {
    expect(defaultRemote({ spec: { spec: { output: { push: { remote: 'backup' } } } } })).toBe('backup');
    expect(defaultRemote({ spec: { spec: { output: {} } } })).toBe('origin');
    expect(defaultRemote(undefined)).toBe('origin');
  });

  it("reads the pull request from the report's result", () => {
    const pullRequest = { github: 'acme/x', number: 7, url: 'https://github.com/acme/x/pull/7', action: 'opened' };
    expect(pullRequestOf({ result: { pullRequest: { ...pullRequest, error: null } } })).toMatchObject(pullRequest);
    expect(pullRequestOf({ result: { branch: 'b' } })).toBeNull();
    expect(pullRequestOf(null)).toBeNull();
  });
});

describe('delivery components', () => {
  const api = new ApiClient();

  it('lists each webhook delivery with its event, URL, attempts, last status and whether it arrived', () => {
    const html = renderToStaticMarkup(createElement(WebhookTable, { deliveries: [retried, unreachable] }));
    expect(html).toContain('<caption>Webhook deliveries</caption>');
    const rows = [...html.matchAll(/<tr class="webhook-[^"]+">(.*?)<\/tr>/g)].map((row) =>
      [...(row[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((cell) => (cell[1] ?? '').replace(/<[^>]+>/g, '')),
    );
    expect(rows).toEqual([
      ['task.ended', 'http://127.0.0.1:9/hook', '3 (500, 500, 204)', '204', 'yes'],
      ['task.started', 'http://127.0.0.1:9/hook', '1', 'ECONNREFUSED', 'no (gave up)'],
    ]);
  });

  it('shows the pull request number as a link, or why there is none', () => {
    const opened = renderToStaticMarkup(
      createElement(PullRequestLine, {
        pullRequest: { github: 'acme/x', number: 7, url: 'https://pr/7', action: 'opened', error: null },
      }),
    );
    expect(opened).toMatch(/<a href="https:\/\/pr\/7"[^>]*>#7<\/a> on acme\/x \(opened\)/);
    const failed = renderToStaticMarkup(
      createElement(PullRequestLine, {
        pullRequest: { github: 'acme/x', number: null, url: null, action: null, error: { message: 'Bad credentials' } },
      }),
    );
    expect(failed).toContain('No pull request on acme/x: Bad credentials');
  });

  it('labels the remote field, filled with the default remote, and the Push button', () => {
    const html = renderToStaticMarkup(
      createElement(PushForm, { api, taskId: 't1', branch: 'codecrew/x', initialRemote: 'backup' }),
    );
    expect(html).toContain('<form class="delivery-form" aria-label="Push the result branch">');
    expect(html).toContain('<label for="push-remote">Remote</label>');
    expect(html).toMatch(/<input id="push-remote"[^>]* value="backup"/);
    expect(html).toContain('<button type="submit">Push</button>');
    expect(html).toContain('Pushes <code>codecrew/x</code>, never forced.');
  });

  it('labels the follow-up prompt, and keeps Send follow-up disabled while it is empty', () => {
    const html = renderToStaticMarkup(createElement(FollowupForm, { api, taskId: 't1' }));
    expect(html).toContain('<label for="followup-prompt">Follow-up prompt</label>');
    expect(html).toContain('<textarea id="followup-prompt"');
    expect(html).toContain('<button type="submit" disabled="">Send follow-up</button>');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type WebhookConfig } from '@codecrew/core';
import { openTaskStore, type TaskStore, type WebhookDelivery } from '@codecrew/store';
import { WebhookDispatcher, retryDelayMs } from '../src/webhooks/dispatcher.ts';
import { observedStore } from '../src/webhooks/observed-store.ts';
import { signPayload, verifySignature } from '../src/webhooks/signature.ts';
import { WebhookReceiver } from '../../../test/support/webhook-receiver.ts';

const SECRET = 'receiver-secret-1';

/** Waits until the store shows the task's deliveries settled as `predicate` wants (checked on each change). */
async function deliveriesWhen(
  store: TaskStore,
  taskId: string,
  predicate: (deliveries: WebhookDelivery[]) => boolean,
): Promise<WebhookDelivery[]> {
  for (let i = 0; i < 500; i++) {
    const deliveries = await store.listWebhookDeliveries(taskId);
    if (predicate(deliveries)) return deliveries;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the deliveries of ${taskId} never reached the expected state`);
}

describe('webhook signatures', () => {
  it('signs the raw body with HMAC-SHA256 and verifies only the same bytes and secret', () => {
    const body = '{"event":"task.ended"}';
    // Known answer: printf '%s' "$body" | openssl dgst -sha256 -hmac key
    expect(signPayload('key', body)).toBe('sha256=a746732408aaae8faa769bb1f26508fd83b98d5a2a939a303e793f2d2ed847af');
    expect(signPayload('key', body)).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('key', body, signPayload('key', body))).toBe(true);
    expect(verifySignature('key', `${body} `, signPayload('key', body))).toBe(false);
    expect(verifySignature('other', body, signPayload('key', body))).toBe(false);
    expect(verifySignature('key', body, undefined)).toBe(false);
  });

  it('doubles the wait after each failed attempt, from the initial delay', () => {
    const hook: WebhookConfig = { url: 'http://127.0.0.1/h', events: ['task.ended'], secret: 's', initialDelay: '2s' };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(hook, n))).toEqual([2000, 4000, 8000, 16000]);
    expect(retryDelayMs({ ...hook, initialDelay: undefined }, 1)).toBe(1000);
  });
});

describe('WebhookDispatcher over the SQLite task store', () => {
  let dataDir: string;
  let store: TaskStore;
  let receiver: WebhookReceiver;
  let taskId: string;
  const dispatchers: WebhookDispatcher[] = [];

  const hook = (events: WebhookConfig['events']): WebhookConfig => ({
    url: receiver.url,
    events,
    secret: SECRET,
    initialDelay: '20ms',
    maxAttempts: 5,
  });
  const dispatcher = (hooks: WebhookConfig[], on: TaskStore = store): WebhookDispatcher => {
    const made = new WebhookDispatcher({ store: on, hooks, log: () => undefined });
    dispatchers.push(made);
    return made;
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'codecrew-webhooks-'));
    store = await openTaskStore({ dataDir });
    taskId = newId('t');
    await store.createTask({ id: taskId, name: 'hooked', repo: '/srv/repo', spec: {} });
  });

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.close()));
    await receiver.stop().catch(() => undefined);
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('retries a receiver that fails twice, then is accepted: one signed body, three attempts kept', async () => {
    receiver = new WebhookReceiver([500, 503]);
    await receiver.start();
    const webhooks = dispatcher([hook(['task.ended'])]);
    webhooks.emit({ id: taskId, name: 'hooked', status: 'approved' }, 'task.ended', { status: 'approved' });
    await receiver.waitFor(3);
    const [delivery] = await deliveriesWhen(store, taskId, (d) => d[0]?.status === 'delivered');
    expect(delivery?.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 503, 'HTTP 503'],
      [3, 204, null],
    ]);
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 503, 204]);
    const bodies = new Set(receiver.received.map((r) => r.body));
    expect(bodies.size).toBe(1);
    for (const request of receiver.received) {
      expect(verifySignature(SECRET, request.body, request.headers['x-codecrew-signature'] as string)).toBe(true);
      expect(request.headers['x-codecrew-event']).toBe('task.ended');
      expect(request.headers['x-codecrew-delivery']).toBe(delivery?.id);
      expect(request.headers['content-type']).toBe('application/json');
      expect(Number(request.headers['x-codecrew-timestamp'])).toBeGreaterThan(1_700_000_000);
    }
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toMatchObject({
      id: delivery?.id,
      event: 'task.ended',
      task: { id: taskId, name: 'hooked', status: 'approved' },
      data: { status: 'approved' },
    });
  });

  it('gives up after the last attempt and keeps the delivery as failed', async () => {
    receiver = new WebhookReceiver([500, 500, 500, 500, 500]);
    await receiver.start();
    dispatcher([{ ...hook(['task.queued']), maxAttempts: 2 }]).emit(
      { id: taskId, name: 'hooked', status: 'queued' },
      'task.queued',
      {},
    );
    const [delivery] = await deliveriesWhen(store, taskId, (d) => d[0]?.status === 'failed');
    expect(delivery?.attempts).toHaveLength(2);
    expect(delivery?.nextAttemptAt).toBeNull();
  });

  it('sends only the events a webhook subscribes to', async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    const webhooks = dispatcher([hook(['task.ended'])]);
    webhooks.emit({ id: taskId, name: 'hooked', status: 'queued' }, 'task.queued', {});
    webhooks.emit({ id: taskId, name: 'hooked', status: 'failed' }, 'task.ended', {});
    const deliveries = await deliveriesWhen(store, taskId, (d) => d.length === 1 && d[0]?.status === 'delivered');
    expect(deliveries.map((d) => d.event)).toEqual(['task.ended']);
  });

  it('resumes a pending delivery from the store after a restart, with the same id and body', async () => {
    // The receiver is down: the first attempt is refused and the delivery waits in the store.
    receiver = new WebhookReceiver();
    await receiver.start();
    const port = new URL(receiver.url).port;
    await receiver.stop();
    const first = dispatcher([{ ...hook(['task.started']), initialDelay: '300ms' }]);
    first.emit({ id: taskId, name: 'hooked', status: 'running' }, 'task.started', { resumed: false });
    const [pending] = await deliveriesWhen(store, taskId, (d) => d[0]?.attempts.length === 1);
    expect(pending?.status).toBe('pending');
    expect(pending?.attempts[0]?.statusCode).toBeNull();
    await first.close();
    await store.close();

    store = await openTaskStore({ dataDir });
    receiver = new WebhookReceiver();
    await receiver.start(Number(port));
    const second = dispatcher([{ ...hook(['task.started']), initialDelay: '300ms' }]);
    await second.start();
    await receiver.waitFor(1);
    const [delivered] = await deliveriesWhen(store, taskId, (d) => d[0]?.status === 'delivered');
    expect(delivered?.id).toBe(pending?.id);
    expect(delivered?.attempts.map((a) => a.statusCode)).toEqual([null, 204]);
    expect(receiver.received[0]?.body).toBe(pending?.payload);
    expect(receiver.received[0]?.headers['x-codecrew-delivery']).toBe(pending?.id);
  });
});

describe('observedStore', () => {
  let dataDir: string;
  let base: TaskStore;
  let receiver: WebhookReceiver;
  let webhooks: WebhookDispatcher;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'codecrew-webhooks-'));
    base = await openTaskStore({ dataDir });
    receiver = new WebhookReceiver();
    await receiver.start();
    webhooks = new WebhookDispatcher({
      store: base,
      hooks: [{ url: receiver.url, events: ['task.queued', 'task.started', 'task.ended'], secret: SECRET }],
      log: () => undefined,
    });
  });

  afterEach(async () => {
    await webhooks.close();
    await receiver.stop();
    await base.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells a created task, a stored task.started once (not again when stored twice), and an ending once', async () => {
    const store = observedStore(base, webhooks);
    const id = newId('t');
    await store.createTask({ id, name: 'observed', repo: '/srv/repo', spec: {}, idempotencyKey: 'k1' });
    // The same key again creates nothing, so nothing is told.
    await store.createTask({ id: newId('t'), name: 'observed', repo: '/srv/repo', spec: {}, idempotencyKey: 'k1' });
    const started = {
      taskId: id,
      kind: 'task.started' as const,
      at: new Date().toISOString(),
      message: 'go',
      data: {},
    };
    await store.appendEvents(id, [{ event: started, dedupKey: 'stream:1' }]);
    await store.appendEvents(id, [{ event: started, dedupKey: 'stream:1' }]);
    await store.appendEvents(id, [{ ...started, kind: 'log' as const }]);
    await store.updateTask(id, { status: 'running' });
    await store.updateTask(id, { status: 'approved', summary: { result: { branch: 'codecrew/observed' } } });
    await store.updateTask(id, { status: 'approved' });
    const deliveries = await deliveriesWhen(
      base,
      id,
      (d) => d.length === 3 && d.every((x) => x.status === 'delivered'),
    );
    expect(deliveries.map((d) => d.event)).toEqual(['task.queued', 'task.started', 'task.ended']);
    expect(JSON.parse(deliveries[2]?.payload ?? '')).toMatchObject({
      task: { id, status: 'approved' },
      data: { status: 'approved', result: { branch: 'codecrew/observed' } },
    });
  });
});

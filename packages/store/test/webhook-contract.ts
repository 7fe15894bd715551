import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodecrewError, newId } from '@codecrew/core';
import type { TaskStore, WebhookAttempt } from '@codecrew/store';

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return isCodecrewError(error) ? error.code : error;
  }
  throw new Error('expected the call to fail');
}

function attempt(n: number, statusCode: number | null, error: string | null): WebhookAttempt {
  return { attempt: n, at: `2026-05-06T07:08:0${n}.000Z`, statusCode, error, durationMs: 12 };
}

/** A place stores can be opened on (the contract's StoreTarget). */
interface StoreTarget {
  open(): Promise<TaskStore>;
  dispose(): Promise<void>;
}

/**
 * The webhook part of the TaskStore contract: deliveries and every attempt are kept, pending ones are
 * found again by a store opened later on the same place (a restarted server), and deleting a task
 * deletes its deliveries.
 */
export function describeWebhookStoreContract(name: string, newTarget: () => Promise<StoreTarget>): void {
  describe(`TaskStore contract, webhook deliveries: ${name}`, () => {
    let target: StoreTarget;
    let store: TaskStore;
    let taskId: string;

    beforeEach(async () => {
      target = await newTarget();
      store = await target.open();
      taskId = newId('task_');
      await store.createTask({ id: taskId, name: 'hooked', repo: '/srv/repo', spec: {} });
    });
    afterEach(async () => {
      await store.close();
      await target.dispose();
    });

    it('records a pending delivery with its payload byte for byte, due now unless told', async () => {
      const payload = '{"event":"task.queued","b":1,"a":[2]}';
      const before = Date.now();
      const created = await store.createWebhookDelivery({
        id: 'evt_1',
        taskId,
        url: 'http://127.0.0.1:9/hook',
        event: 'task.queued',
        payload,
      });
      expect(created).toMatchObject({
        id: 'evt_1',
        taskId,
        url: 'http://127.0.0.1:9/hook',
        event: 'task.queued',
        payload,
        status: 'pending',
        attempts: [],
      });
      expect(Date.parse(created.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      expect(await store.listWebhookDeliveries(taskId)).toEqual([created]);
    });

    it('keeps every attempt in order and settles the delivery', async () => {
      await store.createWebhookDelivery({ id: 'evt_2', taskId, url: 'http://r/h', event: 'task.ended', payload: '{}' });
      const first = await store.recordWebhookAttempt('evt_2', {
        attempt: attempt(1, 500, 'HTTP 500'),
        status: 'pending',
        nextAttemptAt: '2026-05-06T07:09:00Z',
      });
      expect(first.status).toBe('pending');
      expect(first.nextAttemptAt).toBe('2026-05-06T07:09:00.000Z');
      await store.recordWebhookAttempt('evt_2', {
        attempt: attempt(2, null, 'connection refused'),
        status: 'pending',
        nextAttemptAt: '2026-05-06T07:10:00Z',
      });
      const done = await store.recordWebhookAttempt('evt_2', {
        attempt: attempt(3, 204, null),
        status: 'delivered',
        nextAttemptAt: null,
      });
      expect(done.status).toBe('delivered');
      expect(done.nextAttemptAt).toBeNull();
      expect(done.attempts).toEqual([
        attempt(1, 500, 'HTTP 500'),
        attempt(2, null, 'connection refused'),
        attempt(3, 204, null),
      ]);
      expect((await store.listWebhookDeliveries(taskId))[0]).toEqual(done);
    });

    it('lists the pending deliveries of every task, oldest first, also to a store opened afterwards', async () => {
      const other = newId('task_');
      await store.createTask({ id: other, name: 'other', repo: '/srv/repo', spec: {} });
      await store.createWebhookDelivery({ id: 'evt_a', taskId, url: 'http://r/h', event: 'task.queued', payload: '1' });
      await store.createWebhookDelivery({
        id: 'evt_b',
        taskId: other,
        url: 'http://r/h',
        event: 'task.queued',
        payload: '2',
      });
      await store.createWebhookDelivery({ id: 'evt_c', taskId, url: 'http://r/h', event: 'task.ended', payload: '3' });
      await store.recordWebhookAttempt('evt_c', {
        attempt: attempt(1, 200, null),
        status: 'delivered',
        nextAttemptAt: null,
      });
      const reopened = await target.open();
      try {
        expect((await reopened.pendingWebhookDeliveries()).map((d) => d.id)).toEqual(['evt_a', 'evt_b']);
        expect((await reopened.listWebhookDeliveries(taskId)).map((d) => d.id)).toEqual(['evt_a', 'evt_c']);
      } finally {
        await reopened.close();
      }
    });

    it('refuses a delivery of an unknown task, and an attempt of an unknown delivery', async () => {
      expect(
        await codeOf(
          store.createWebhookDelivery({ id: 'evt_x', taskId: 'task_none', url: 'u', event: 'e', payload: '' }),
        ),
      ).toBe('TASK_NOT_FOUND');
      expect(
        await codeOf(
          store.recordWebhookAttempt('evt_none', {
            attempt: attempt(1, 200, null),
            status: 'delivered',
            nextAttemptAt: null,
          }),
        ),
      ).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
      expect(await store.listWebhookDeliveries('task_none')).toEqual([]);
    });

    it('deletes the deliveries of a deleted task', async () => {
      await store.createWebhookDelivery({
        id: 'evt_d',
        taskId,
        url: 'http://r/h',
        event: 'task.queued',
        payload: '{}',
      });
      await store.deleteTask(taskId);
      expect(await store.listWebhookDeliveries(taskId)).toEqual([]);
      expect(await store.pendingWebhookDeliveries()).toEqual([]);
    });
  });
}

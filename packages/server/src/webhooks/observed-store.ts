import type { TraceEvent, WebhookEvent } from '@codecrew/core';
import type { KeyedEvent, TaskPatch, TaskRecord, TaskStore } from '@codecrew/store';
import { hasEnded } from '../tasks/status.ts';
import type { WebhookDispatcher } from './dispatcher.ts';

/** Trace events that are webhook events of the same name. */
const TRACE_WEBHOOK_EVENTS: ReadonlySet<string> = new Set<WebhookEvent>([
  'task.started',
  'plan.awaiting_approval',
  'plan.approved',
  'plan.rejected',
  'plan.edited',
]);

const isKeyed = (item: TraceEvent | KeyedEvent): item is KeyedEvent => 'dedupKey' in item;

/** The result part of a stored summary, when it has one. */
function resultOf(summary: unknown): unknown {
  return typeof summary === 'object' && summary !== null && 'result' in summary
    ? (summary as { result: unknown }).result
    : null;
}

/**
 * The task store, telling `webhooks` what happens to the tasks as it is recorded: a task created
 * (`task.queued`), a stored trace event that is a webhook event (`task.started`, `plan.*`; an event
 * stored again after a restart is not told twice), and a task's status set to an ended one
 * (`task.ended`, once). Everything else passes through unchanged.
 */
export function observedStore(store: TaskStore, webhooks: WebhookDispatcher): TaskStore {
  if (!webhooks.enabled) return store;
  const createTask: TaskStore['createTask'] = async (input) => {
    const created = await store.createTask(input);
    if (created.created) {
      webhooks.emit(created.task, 'task.queued', { repo: created.task.repo, createdAt: created.task.createdAt });
    }
    return created;
  };
  const updateTask = async (id: string, patch: TaskPatch): Promise<TaskRecord> => {
    const ending = patch.status !== undefined && hasEnded(patch.status);
    const before = ending ? await store.getTask(id) : null;
    const record = await store.updateTask(id, patch);
    if (ending && before !== null && !hasEnded(before.status)) {
      webhooks.emit(record, 'task.ended', {
        status: record.status,
        error: record.error,
        endedAt: record.endedAt,
        result: resultOf(record.summary),
      });
    }
    return record;
  };
  const appendEvents = async (taskId: string, events: ReadonlyArray<TraceEvent | KeyedEvent>): Promise<number> => {
    const told = events
      .map((item) => (isKeyed(item) ? item.event : item))
      .filter((e) => TRACE_WEBHOOK_EVENTS.has(e.kind));
    if (told.length === 0) return store.appendEvents(taskId, events);
    const before = await store.lastEventSeq(taskId);
    const last = await store.appendEvents(taskId, events);
    // Nothing was stored: every event was a repeat of one stored before.
    if (last === before) return last;
    const task = await store.getTask(taskId);
    if (task !== null) {
      for (const event of told) {
        webhooks.emit(task, event.kind as WebhookEvent, { at: event.at, message: event.message, ...event.data });
      }
    }
    return last;
  };
  const overrides: Partial<TaskStore> = { createTask, updateTask, appendEvents };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof TaskStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

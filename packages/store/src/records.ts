import { CodecrewError } from '@codecrew/core';
import type { TraceEvent } from '@codecrew/core';
import { API_TASK_STATUSES } from './types.ts';
import type { ApiTaskStatus, KeyedEvent, TaskComment, TaskFilter } from './types.ts';

/** Page size of `listTasks` when none is given, and the largest allowed. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/**
 * The dedup key of an event read from a JetStream stream: the stream's name and the message's
 * stream sequence, which together name one message for the life of the stream.
 */
export function jetStreamEventKey(stream: string, streamSequence: number): string {
  return `js:${stream}:${streamSequence}`;
}

/** An event to append, split into the event and its dedup key (null for a plain event). */
export interface EventToStore {
  event: TraceEvent;
  dedupKey: string | null;
}

/** Normalizes the events `appendEvents` accepts. */
export function eventsToStore(events: ReadonlyArray<TraceEvent | KeyedEvent>): EventToStore[] {
  return events.map((item) =>
    'dedupKey' in item && 'event' in item
      ? { event: item.event, dedupKey: item.dedupKey }
      : { event: item as TraceEvent, dedupKey: null },
  );
}

/** Drops events whose key is among `storedKeys` or repeats a key earlier in the list. */
export function withoutStoredKeys(events: EventToStore[], storedKeys: ReadonlySet<string>): EventToStore[] {
  const seen = new Set(storedKeys);
  return events.filter((item) => {
    if (item.dedupKey === null) return true;
    if (seen.has(item.dedupKey)) return false;
    seen.add(item.dedupKey);
    return true;
  });
}

/** The opaque cursor that continues a list after the task at `position`. */
export function encodeCursor(position: number): string {
  return Buffer.from(`p${position}`, 'utf8').toString('base64url');
}

/** The position a cursor continues after; `CURSOR_INVALID` for anything not made by encodeCursor. */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^p([1-9][0-9]{0,15})$/.exec(text);
  if (match?.[1] === undefined || encodeCursor(Number(match[1])) !== cursor) {
    throw new CodecrewError(
      'CURSOR_INVALID',
      `cursor "${cursor}" was not handed out by this server; start without one`,
    );
  }
  return Number(match[1]);
}

/** The page size a filter asks for, checked. */
export function pageSize(filter: TaskFilter): number {
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new CodecrewError('USAGE_INVALID', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  }
  return limit;
}

/** A time as the store keeps it: ISO 8601 in UTC with milliseconds. */
export function normalizeTime(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new CodecrewError('USAGE_INVALID', `${field} must be an ISO 8601 time, got "${value}"`);
  }
  return time.toISOString();
}

export function checkStatus(status: string): ApiTaskStatus {
  if (!(API_TASK_STATUSES as readonly string[]).includes(status)) {
    throw new CodecrewError('USAGE_INVALID', `unknown task status "${status}"; one of ${API_TASK_STATUSES.join(', ')}`);
  }
  return status as ApiTaskStatus;
}

export function checkEventRange(afterSeq: number, limit: number): void {
  if (!Number.isInteger(afterSeq) || afterSeq < 0) {
    throw new CodecrewError('USAGE_INVALID', `afterSeq must be an integer of 0 or more, got ${afterSeq}`);
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new CodecrewError('USAGE_INVALID', `limit must be a positive integer, got ${limit}`);
  }
}

export function taskNotFound(id: string): CodecrewError {
  return new CodecrewError('TASK_NOT_FOUND', `no task with id "${id}"`, { details: { taskId: id } });
}

export function duplicateTaskId(id: string): CodecrewError {
  return new CodecrewError('USAGE_INVALID', `a task with id "${id}" already exists`, { details: { taskId: id } });
}

/** A `task_comments` row as a database driver returns it; `Time` is the driver's type for a timestamp. */
export interface CommentRow<Time> {
  task_id: string;
  id: number;
  path: string;
  line: number;
  body: string;
  created_at: Time;
  revision: string | null;
}

/** The comment a row holds; `time` turns the driver's timestamp into ISO 8601. */
export function commentFromRow<Time>(row: CommentRow<Time>, time: (value: Time) => string): TaskComment {
  return {
    id: row.id,
    taskId: row.task_id,
    path: row.path,
    line: row.line,
    body: row.body,
    createdAt: time(row.created_at),
    revision: row.revision,
  };
}

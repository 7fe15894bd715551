import type { ErrorData, TraceEvent } from '@codecrew/core';
import type { WebhookDeliveryStore } from './webhook-types.ts';

/** Where a task stands, as the HTTP API reports it. */
export type ApiTaskStatus =
  | 'queued'
  | 'running'
  | 'awaiting_approval'
  | 'approved'
  | 'not_approved'
  | 'failed'
  | 'cancelled'
  | 'budget_exhausted';

/** Every status, in the order a task can pass through them. */
export const API_TASK_STATUSES: readonly ApiTaskStatus[] = [
  'queued',
  'running',
  'awaiting_approval',
  'approved',
  'not_approved',
  'failed',
  'cancelled',
  'budget_exhausted',
];

/** One task as the store keeps it. Times are ISO 8601 strings in UTC with milliseconds. */
export interface TaskRecord {
  id: string;
  name: string;
  status: ApiTaskStatus;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** The repository as submitted: a path on the server's machine or a git URL. */
  repo: string;
  /** The task spec as submitted (JSON). */
  spec: unknown;
  idempotencyKey: string | null;
  outDir: string | null;
  /** Plan, subtasks, usage, result: what `GET /v1/tasks/{id}` shows, updated as the task runs (JSON). */
  summary: unknown;
  error: ErrorData | null;
  cancelRequested: boolean;
  /** The task this one follows up (a follow-up or a revision of it), or null. */
  parent: string | null;
}

/** A user's comment on one line of a task's diff. */
export interface TaskComment {
  /** 1, 2, 3… per task. */
  id: number;
  taskId: string;
  path: string;
  /** A line of the new file the diff shows. */
  line: number;
  body: string;
  createdAt: string;
  /** The revision task the comment was sent to, or null while none was asked for. */
  revision: string | null;
}

/** A comment to add. */
export interface NewComment {
  path: string;
  line: number;
  body: string;
}

/** A task to insert; it starts `queued`. `createdAt` defaults to now. */
export interface NewTask {
  id: string;
  name: string;
  repo: string;
  spec: unknown;
  idempotencyKey?: string | null;
  createdAt?: string;
  /** The task it follows up. */
  parent?: string | null;
}

/** The fields of a task that change after it was created. */
export type TaskPatch = Partial<
  Pick<TaskRecord, 'status' | 'startedAt' | 'endedAt' | 'outDir' | 'summary' | 'error' | 'cancelRequested'>
>;

/** Filters of `listTasks`; all given ones must match. */
export interface TaskFilter {
  status?: ApiTaskStatus;
  /** Exact task name (`metadata.name`). */
  name?: string;
  /** Exact repository, as submitted. */
  repo?: string;
  /** Only the follow-ups of this task. */
  parent?: string;
  /** Page size, 1 to 500; default 50. */
  limit?: number;
  /** The `nextCursor` of the page before; null or absent for the first page. */
  cursor?: string | null;
}

/** A trace event with its place in its task's stream. */
export interface StoredEvent {
  /** 1, 2, 3… per task, with no gaps: the SSE `id`. */
  seq: number;
  event: TraceEvent;
}

/**
 * An event to append together with a key that identifies its source, so that appending it again
 * (after a restart, a redelivery) is a no-op. The key is unique per task; for events read from the
 * JetStream events stream use {@link jetStreamEventKey}.
 */
export interface KeyedEvent {
  event: TraceEvent;
  dedupKey: string;
}

/**
 * Durable record of the tasks a server runs and every event of each: the queue, the list, the
 * stream. Implemented on SQLite (the default, under the data directory) and PostgreSQL
 * (`DATABASE_URL`); both pass the same contract suite. Safe to use from concurrent calls in one
 * process, and (PostgreSQL) from several processes.
 */
export interface TaskStore extends WebhookDeliveryStore {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Inserts a task as `queued`. With an idempotency key already used, inserts nothing and returns
   * the existing task with `created: false` (also when two calls race with the same key).
   */
  createTask(input: NewTask): Promise<{ task: TaskRecord; created: boolean }>;
  /** The task, or null when there is none with that id. */
  getTask(id: string): Promise<TaskRecord | null>;
  /**
   * Tasks newest first (by order of creation), filtered, one page at a time. `nextCursor` is null on
   * the last page. Paging is stable: tasks created while a client pages do not shift the pages it has
   * not read yet (they appear before its first page). A cursor that this store did not hand out
   * fails with `CURSOR_INVALID`.
   */
  listTasks(filter: TaskFilter): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }>;
  /** Changes the given fields and returns the task as it now is; `TASK_NOT_FOUND` when there is none. */
  updateTask(id: string, patch: TaskPatch): Promise<TaskRecord>;
  /**
   * Atomically takes the oldest queued task (first in, first out) whose cancel was not requested,
   * marks it `running` with `startedAt` set to now, and returns it; null when none waits. Two
   * concurrent callers never get the same task.
   *
   * So a cancel never races a claim: set `cancelRequested: true` with `updateTask` first; the task
   * it returns is still `queued` only when no claim took it, and then none ever will (mark it
   * `cancelled`); when it is `running`, stop the run.
   */
  claimNextQueued(): Promise<TaskRecord | null>;
  /** Tasks in the given statuses, oldest first (used at start-up to resume running tasks). */
  tasksWithStatus(statuses: ApiTaskStatus[]): Promise<TaskRecord[]>;
  /**
   * Appends events to a task's stream in the order given and returns the seq of the task's last
   * stored event (0 when it has none). Seqs are 1, 2, 3… per task with no gaps, also under
   * concurrent appends to one task.
   *
   * Events given as {@link KeyedEvent} are skipped when an event with the same `dedupKey` is already
   * stored for the task (or earlier in the same call): feeding the same JetStream messages again
   * after a restart stores each once. Plain events are always appended.
   * `TASK_NOT_FOUND` when the task does not exist.
   */
  appendEvents(taskId: string, events: ReadonlyArray<TraceEvent | KeyedEvent>): Promise<number>;
  /** The task's events with `seq > afterSeq`, oldest first, at most `limit`. */
  readEvents(taskId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** The seq of the task's last stored event, 0 when it has none or there is no such task. */
  lastEventSeq(taskId: string): Promise<number>;
  /** Adds comments to a task's diff, numbered after its earlier ones; returns them. `TASK_NOT_FOUND` when there is no such task. */
  addComments(taskId: string, comments: readonly NewComment[]): Promise<TaskComment[]>;
  /** The task's comments, in the order they were added. */
  listComments(taskId: string): Promise<TaskComment[]>;
  /** Records that the comments `ids` of a task were sent to the revision task `revision`. */
  markCommentsRevised(taskId: string, ids: readonly number[], revision: string): Promise<void>;
  /** Deletes a task and its events (and comments); false when there was none. */
  deleteTask(id: string): Promise<boolean>;
  /** Answers when the database is reachable (for `/healthz`); throws `STORE_UNAVAILABLE` otherwise. */
  ping(): Promise<void>;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** How to open a store: SQLite in `<dataDir>/codecrew.db`, or PostgreSQL at `databaseUrl`. */
export type TaskStoreOptions = { dataDir: string } | { databaseUrl: string };

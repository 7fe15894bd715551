import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { CodecrewError } from '@codecrew/core';
import type { ErrorData, TraceEvent } from '@codecrew/core';
import {
  checkEventRange,
  commentFromRow,
  type CommentRow as SharedCommentRow,
  checkStatus,
  decodeCursor,
  duplicateTaskId,
  encodeCursor,
  eventsToStore,
  normalizeTime,
  pageSize,
  taskNotFound,
  withoutStoredKeys,
} from '../records.ts';
import type {
  ApiTaskStatus,
  KeyedEvent,
  NewComment,
  NewTask,
  StoredEvent,
  TaskFilter,
  TaskPatch,
  TaskComment,
  TaskRecord,
  TaskStore,
} from '../types.ts';
import { prepareDatabase } from './schema.ts';
import { SqliteWebhookDeliveries } from './webhooks.ts';
import type { NewWebhookDelivery, WebhookAttemptRecord, WebhookDelivery } from '../webhook-types.ts';

/** The file of the store in a data directory. */
export const SQLITE_FILE_NAME = 'codecrew.db';

interface TaskRow {
  position: number;
  id: string;
  name: string;
  status: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  repo: string;
  spec: string;
  idempotency_key: string | null;
  out_dir: string | null;
  summary: string | null;
  error: string | null;
  cancel_requested: number;
  parent: string | null;
}

/** A comment row as better-sqlite3 returns it. */
type CommentRow = SharedCommentRow<string>;

const toComment = (row: CommentRow): TaskComment => commentFromRow(row, (time) => time);

function toRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status as ApiTaskStatus,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    repo: row.repo,
    spec: JSON.parse(row.spec) as unknown,
    idempotencyKey: row.idempotency_key,
    outDir: row.out_dir,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as unknown),
    error: row.error === null ? null : (JSON.parse(row.error) as ErrorData),
    cancelRequested: row.cancel_requested !== 0,
    parent: row.parent ?? null,
  };
}

/** Column values of a patch, in the form SQLite keeps them. */
function patchColumns(patch: TaskPatch): Record<string, string | number | null> {
  const columns: Record<string, string | number | null> = {};
  if (patch.status !== undefined) columns.status = checkStatus(patch.status);
  if (patch.startedAt !== undefined)
    columns.started_at = patch.startedAt === null ? null : normalizeTime(patch.startedAt, 'startedAt');
  if (patch.endedAt !== undefined)
    columns.ended_at = patch.endedAt === null ? null : normalizeTime(patch.endedAt, 'endedAt');
  if (patch.outDir !== undefined) columns.out_dir = patch.outDir;
  if (patch.summary !== undefined) columns.summary = patch.summary === null ? null : JSON.stringify(patch.summary);
  if (patch.error !== undefined) columns.error = patch.error === null ? null : JSON.stringify(patch.error);
  if (patch.cancelRequested !== undefined) columns.cancel_requested = patch.cancelRequested ? 1 : 0;
  return columns;
}

/** Opens (and creates when missing) the SQLite store `<dataDir>/codecrew.db`. */
export function openSqliteTaskStore(dataDir: string): TaskStore {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SQLITE_FILE_NAME);
  let db: Database;
  try {
    db = new BetterSqlite3(file);
    prepareDatabase(db);
  } catch (error) {
    throw new CodecrewError('STORE_UNAVAILABLE', `cannot open the task store ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return new SqliteTaskStore(db);
}

class SqliteTaskStore implements TaskStore {
  readonly kind = 'sqlite';
  readonly #db: Database;
  /** Prepared statements by SQL text: compiling one costs more than running it, on the thread that answers requests. */
  readonly #statements = new Map<string, Statement>();

  readonly #webhooks: SqliteWebhookDeliveries;

  constructor(db: Database) {
    this.#db = db;
    this.#webhooks = new SqliteWebhookDeliveries(db);
  }

  /** The prepared statement of `sql`, compiled the first time it is asked for. */
  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async createTask(input: NewTask): Promise<{ task: TaskRecord; created: boolean }> {
    const key = input.idempotencyKey ?? null;
    const createdAt = normalizeTime(input.createdAt ?? new Date().toISOString(), 'createdAt');
    return this.#db
      .transaction(() => {
        if (key !== null) {
          const existing = this.#statement('SELECT * FROM tasks WHERE idempotency_key = ?').get(key) as
            TaskRow | undefined;
          if (existing !== undefined) return { task: toRecord(existing), created: false };
        }
        if (this.#statement('SELECT 1 FROM tasks WHERE id = ?').get(input.id) !== undefined) {
          throw duplicateTaskId(input.id);
        }
        const row = this.#statement(
          `INSERT INTO tasks (id, name, status, created_at, repo, spec, idempotency_key, parent)
             VALUES (?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING *`,
        ).get(
          input.id,
          input.name,
          createdAt,
          input.repo,
          JSON.stringify(input.spec ?? null),
          key,
          input.parent ?? null,
        ) as TaskRow;
        return { task: toRecord(row), created: true };
      })
      .immediate();
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const row = this.#statement('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return row === undefined ? null : toRecord(row);
  }

  async listTasks(filter: TaskFilter): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }> {
    const limit = pageSize(filter);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(checkStatus(filter.status));
    }
    if (filter.name !== undefined) {
      where.push('name = ?');
      params.push(filter.name);
    }
    if (filter.repo !== undefined) {
      where.push('repo = ?');
      params.push(filter.repo);
    }
    if (filter.parent !== undefined) {
      where.push('parent = ?');
      params.push(filter.parent);
    }
    if (filter.cursor !== undefined && filter.cursor !== null) {
      where.push('position < ?');
      params.push(decodeCursor(filter.cursor));
    }
    const sql = `SELECT * FROM tasks ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY position DESC LIMIT ?`;
    const rows = this.#statement(sql).all(...params, limit + 1) as TaskRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      tasks: page.map(toRecord),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.position) : null,
    };
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord> {
    const columns = patchColumns(patch);
    const names = Object.keys(columns);
    const row =
      names.length === 0
        ? (this.#statement('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined)
        : (this.#statement(
            `UPDATE tasks SET ${names.map((name) => `${name} = @${name}`).join(', ')} WHERE id = @id RETURNING *`,
          ).get({ ...columns, id }) as TaskRow | undefined);
    if (row === undefined) throw taskNotFound(id);
    return toRecord(row);
  }

  async claimNextQueued(): Promise<TaskRecord | null> {
    const row = this.#statement(
      `UPDATE tasks SET status = 'running', started_at = ?
         WHERE position = (
           SELECT position FROM tasks WHERE status = 'queued' AND cancel_requested = 0 ORDER BY position LIMIT 1
         )
         RETURNING *`,
    ).get(new Date().toISOString()) as TaskRow | undefined;
    return row === undefined ? null : toRecord(row);
  }

  async tasksWithStatus(statuses: ApiTaskStatus[]): Promise<TaskRecord[]> {
    if (statuses.length === 0) return [];
    const rows = this.#statement(
      `SELECT * FROM tasks WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY position`,
    ).all(...statuses.map(checkStatus)) as TaskRow[];
    return rows.map(toRecord);
  }

  async appendEvents(taskId: string, events: ReadonlyArray<TraceEvent | KeyedEvent>): Promise<number> {
    const items = eventsToStore(events);
    return this.#db
      .transaction(() => {
        const task = this.#statement('SELECT last_seq FROM tasks WHERE id = ?').get(taskId) as
          { last_seq: number } | undefined;
        if (task === undefined) throw taskNotFound(taskId);
        const keys = items.flatMap((item) => (item.dedupKey === null ? [] : [item.dedupKey]));
        const findKey = this.#statement('SELECT 1 FROM task_events WHERE task_id = ? AND dedup_key = ?');
        const stored = new Set(keys.filter((key) => findKey.get(taskId, key) !== undefined));
        const fresh = withoutStoredKeys(items, stored);
        if (fresh.length === 0) return task.last_seq;
        const insert = this.#statement('INSERT INTO task_events (task_id, seq, dedup_key, event) VALUES (?, ?, ?, ?)');
        let seq = task.last_seq;
        for (const item of fresh) {
          seq += 1;
          insert.run(taskId, seq, item.dedupKey, JSON.stringify(item.event));
        }
        this.#statement('UPDATE tasks SET last_seq = ? WHERE id = ?').run(seq, taskId);
        return seq;
      })
      .immediate();
  }

  async readEvents(taskId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    checkEventRange(afterSeq, limit);
    const rows = this.#statement(
      'SELECT seq, event FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ).all(taskId, afterSeq, limit) as { seq: number; event: string }[];
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.event) as TraceEvent }));
  }

  async lastEventSeq(taskId: string): Promise<number> {
    const row = this.#statement('SELECT last_seq FROM tasks WHERE id = ?').get(taskId) as
      { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }

  async addComments(taskId: string, comments: readonly NewComment[]): Promise<TaskComment[]> {
    const createdAt = new Date().toISOString();
    return this.#db
      .transaction(() => {
        if (this.#statement('SELECT 1 FROM tasks WHERE id = ?').get(taskId) === undefined) throw taskNotFound(taskId);
        const last = this.#statement('SELECT max(id) AS id FROM task_comments WHERE task_id = ?').get(taskId) as {
          id: number | null;
        };
        const insert = this.#statement(
          'INSERT INTO task_comments (task_id, id, path, line, body, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
        );
        return comments.map((comment, index) =>
          toComment(
            insert.get(
              taskId,
              (last.id ?? 0) + index + 1,
              comment.path,
              comment.line,
              comment.body,
              createdAt,
            ) as CommentRow,
          ),
        );
      })
      .immediate();
  }

  async listComments(taskId: string): Promise<TaskComment[]> {
    const rows = this.#statement('SELECT * FROM task_comments WHERE task_id = ? ORDER BY id').all(
      taskId,
    ) as CommentRow[];
    return rows.map(toComment);
  }

  async markCommentsRevised(taskId: string, ids: readonly number[], revision: string): Promise<void> {
    const update = this.#statement('UPDATE task_comments SET revision = ? WHERE task_id = ? AND id = ?');
    this.#db.transaction(() => {
      for (const id of ids) update.run(revision, taskId, id);
    })();
  }

  async deleteTask(id: string): Promise<boolean> {
    return this.#statement('DELETE FROM tasks WHERE id = ?').run(id).changes > 0;
  }

  createWebhookDelivery(input: NewWebhookDelivery): Promise<WebhookDelivery> {
    return this.#webhooks.createWebhookDelivery(input);
  }

  recordWebhookAttempt(id: string, record: WebhookAttemptRecord): Promise<WebhookDelivery> {
    return this.#webhooks.recordWebhookAttempt(id, record);
  }

  listWebhookDeliveries(taskId: string): Promise<WebhookDelivery[]> {
    return this.#webhooks.listWebhookDeliveries(taskId);
  }

  pendingWebhookDeliveries(): Promise<WebhookDelivery[]> {
    return this.#webhooks.pendingWebhookDeliveries();
  }

  async ping(): Promise<void> {
    try {
      this.#statement('SELECT 1').get();
    } catch (error) {
      throw new CodecrewError('STORE_UNAVAILABLE', `the task store does not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

import pg from 'pg';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
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
import { storeError } from './errors.ts';
import { migrate } from './schema.ts';
import { PostgresWebhookDeliveries } from './webhooks.ts';
import type { NewWebhookDelivery, WebhookAttemptRecord, WebhookDelivery } from '../webhook-types.ts';

interface TaskRow {
  position: string;
  id: string;
  name: string;
  status: string;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  repo: string;
  spec: unknown;
  idempotency_key: string | null;
  out_dir: string | null;
  summary: unknown;
  error: ErrorData | null;
  cancel_requested: boolean;
  parent: string | null;
}

/** A comment row as node-postgres returns it. */
type CommentRow = SharedCommentRow<Date>;

const toComment = (row: CommentRow): TaskComment => commentFromRow(row, (time) => time.toISOString());

const UNIQUE_VIOLATION = '23505';

function toRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status as ApiTaskStatus,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    endedAt: row.ended_at?.toISOString() ?? null,
    repo: row.repo,
    spec: row.spec,
    idempotencyKey: row.idempotency_key,
    outDir: row.out_dir,
    summary: row.summary ?? null,
    error: row.error,
    cancelRequested: row.cancel_requested,
    parent: row.parent ?? null,
  };
}

/** Column values of a patch, in the form PostgreSQL takes them. */
function patchColumns(patch: TaskPatch): Record<string, string | boolean | null> {
  const columns: Record<string, string | boolean | null> = {};
  if (patch.status !== undefined) columns.status = checkStatus(patch.status);
  if (patch.startedAt !== undefined)
    columns.started_at = patch.startedAt === null ? null : normalizeTime(patch.startedAt, 'startedAt');
  if (patch.endedAt !== undefined)
    columns.ended_at = patch.endedAt === null ? null : normalizeTime(patch.endedAt, 'endedAt');
  if (patch.outDir !== undefined) columns.out_dir = patch.outDir;
  if (patch.summary !== undefined) columns.summary = patch.summary === null ? null : JSON.stringify(patch.summary);
  if (patch.error !== undefined) columns.error = patch.error === null ? null : JSON.stringify(patch.error);
  if (patch.cancelRequested !== undefined) columns.cancel_requested = patch.cancelRequested;
  return columns;
}

/** The URL with its password hidden, for messages. */
function redacted(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Opens the PostgreSQL store at `databaseUrl`, creating or migrating its tables. */
export async function openPostgresTaskStore(databaseUrl: string): Promise<TaskStore> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle connection that breaks (a database restart) is dropped by the pool; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new CodecrewError(
      'STORE_UNAVAILABLE',
      `cannot open the task store at ${redacted(databaseUrl)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return new PostgresTaskStore(pool);
}

class PostgresTaskStore implements TaskStore {
  readonly kind = 'postgres';
  readonly #pool: Pool;

  readonly #webhooks: PostgresWebhookDeliveries;

  constructor(pool: Pool) {
    this.#pool = pool;
    this.#webhooks = new PostgresWebhookDeliveries(pool);
  }

  async #query<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (error) {
      throw storeError(error);
    }
  }

  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is broken: the pool discards it instead of reusing it.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw storeError(error);
    } finally {
      client.release(broken);
    }
  }

  async createTask(input: NewTask): Promise<{ task: TaskRecord; created: boolean }> {
    const key = input.idempotencyKey ?? null;
    const createdAt = normalizeTime(input.createdAt ?? new Date().toISOString(), 'createdAt');
    const inserted = await this.#query<TaskRow>(
      `INSERT INTO tasks (id, name, status, created_at, repo, spec, idempotency_key, parent)
         VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [input.id, input.name, createdAt, input.repo, JSON.stringify(input.spec ?? null), key, input.parent ?? null],
    ).catch((error: unknown) => {
      throw (error as { code?: string }).code === UNIQUE_VIOLATION ? duplicateTaskId(input.id) : error;
    });
    const row = inserted.rows[0];
    if (row !== undefined) return { task: toRecord(row), created: true };
    const existing = await this.#query<TaskRow>('SELECT * FROM tasks WHERE idempotency_key = $1', [key]);
    const found = existing.rows[0];
    if (found === undefined) throw new CodecrewError('INTERNAL', `task ${input.id} was neither inserted nor found`);
    return { task: toRecord(found), created: false };
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const { rows } = await this.#query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }

  async listTasks(filter: TaskFilter): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }> {
    const limit = pageSize(filter);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (condition: string, value: string | number): void => {
      params.push(value);
      where.push(`${condition} $${params.length}`);
    };
    if (filter.status !== undefined) add('status =', checkStatus(filter.status));
    if (filter.name !== undefined) add('name =', filter.name);
    if (filter.repo !== undefined) add('repo =', filter.repo);
    if (filter.parent !== undefined) add('parent =', filter.parent);
    if (filter.cursor !== undefined && filter.cursor !== null) add('position <', decodeCursor(filter.cursor));
    params.push(limit + 1);
    const { rows } = await this.#query<TaskRow>(
      `SELECT * FROM tasks ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY position DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      tasks: page.map(toRecord),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(Number(last.position)) : null,
    };
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord> {
    const columns = patchColumns(patch);
    const names = Object.keys(columns);
    const { rows } =
      names.length === 0
        ? await this.#query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id])
        : await this.#query<TaskRow>(
            `UPDATE tasks SET ${names.map((name, index) => `${name} = $${index + 2}`).join(', ')}
             WHERE id = $1 RETURNING *`,
            [id, ...names.map((name) => columns[name])],
          );
    if (rows[0] === undefined) throw taskNotFound(id);
    return toRecord(rows[0]);
  }

  async claimNextQueued(): Promise<TaskRecord | null> {
    const { rows } = await this.#query<TaskRow>(
      `WITH next AS (
         SELECT position FROM tasks WHERE status = 'queued' AND NOT cancel_requested
         ORDER BY position LIMIT 1 FOR UPDATE SKIP LOCKED
       )
       UPDATE tasks SET status = 'running', started_at = $1 FROM next
       WHERE tasks.position = next.position RETURNING tasks.*`,
      [new Date().toISOString()],
    );
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }

  async tasksWithStatus(statuses: ApiTaskStatus[]): Promise<TaskRecord[]> {
    if (statuses.length === 0) return [];
    const { rows } = await this.#query<TaskRow>(
      'SELECT * FROM tasks WHERE status = ANY($1::text[]) ORDER BY position',
      [statuses.map(checkStatus)],
    );
    return rows.map(toRecord);
  }

  async appendEvents(taskId: string, events: ReadonlyArray<TraceEvent | KeyedEvent>): Promise<number> {
    const items = eventsToStore(events);
    return this.#transaction(async (client) => {
      // The task's row lock serializes appends to one task, so seqs never collide or leave gaps.
      const task = await client.query<{ last_seq: string }>('SELECT last_seq FROM tasks WHERE id = $1 FOR UPDATE', [
        taskId,
      ]);
      if (task.rows[0] === undefined) throw taskNotFound(taskId);
      const lastSeq = Number(task.rows[0].last_seq);
      const keys = items.flatMap((item) => (item.dedupKey === null ? [] : [item.dedupKey]));
      const stored =
        keys.length === 0
          ? []
          : (
              await client.query<{ dedup_key: string }>(
                'SELECT dedup_key FROM task_events WHERE task_id = $1 AND dedup_key = ANY($2::text[])',
                [taskId, keys],
              )
            ).rows.map((row) => row.dedup_key);
      const fresh = withoutStoredKeys(items, new Set(stored));
      if (fresh.length === 0) return lastSeq;
      const seqs = fresh.map((_, index) => lastSeq + index + 1);
      await client.query(
        `INSERT INTO task_events (task_id, seq, dedup_key, event)
         SELECT $1, seq, dedup_key, event::json FROM unnest($2::bigint[], $3::text[], $4::text[]) AS e(seq, dedup_key, event)`,
        [taskId, seqs, fresh.map((item) => item.dedupKey), fresh.map((item) => JSON.stringify(item.event))],
      );
      const newLast = lastSeq + fresh.length;
      await client.query('UPDATE tasks SET last_seq = $2 WHERE id = $1', [taskId, newLast]);
      return newLast;
    });
  }

  async readEvents(taskId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    checkEventRange(afterSeq, limit);
    const { rows } = await this.#query<{ seq: string; event: TraceEvent }>(
      'SELECT seq, event FROM task_events WHERE task_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [taskId, afterSeq, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), event: row.event }));
  }

  async lastEventSeq(taskId: string): Promise<number> {
    const { rows } = await this.#query<{ last_seq: string }>('SELECT last_seq FROM tasks WHERE id = $1', [taskId]);
    return rows[0] === undefined ? 0 : Number(rows[0].last_seq);
  }

  async addComments(taskId: string, comments: readonly NewComment[]): Promise<TaskComment[]> {
    const createdAt = new Date().toISOString();
    return this.#transaction(async (client) => {
      // Locks the task's row, so concurrent additions number their comments one after the other.
      const task = await client.query('SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE', [taskId]);
      if (task.rowCount === 0) throw taskNotFound(taskId);
      const last = await client.query<{ id: number | null }>(
        'SELECT max(id) AS id FROM task_comments WHERE task_id = $1',
        [taskId],
      );
      const first = (last.rows[0]?.id ?? 0) + 1;
      const added: TaskComment[] = [];
      for (const [index, comment] of comments.entries()) {
        const { rows } = await client.query<CommentRow>(
          'INSERT INTO task_comments (task_id, id, path, line, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
          [taskId, first + index, comment.path, comment.line, comment.body, createdAt],
        );
        if (rows[0] !== undefined) added.push(toComment(rows[0]));
      }
      return added;
    });
  }

  async listComments(taskId: string): Promise<TaskComment[]> {
    const { rows } = await this.#query<CommentRow>('SELECT * FROM task_comments WHERE task_id = $1 ORDER BY id', [
      taskId,
    ]);
    return rows.map(toComment);
  }

  async markCommentsRevised(taskId: string, ids: readonly number[], revision: string): Promise<void> {
    await this.#query('UPDATE task_comments SET revision = $1 WHERE task_id = $2 AND id = ANY($3::int[])', [
      revision,
      taskId,
      [...ids],
    ]);
  }

  async deleteTask(id: string): Promise<boolean> {
    const result = await this.#query('DELETE FROM tasks WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
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
      await this.#query('SELECT 1');
    } catch (error) {
      if (error instanceof CodecrewError) throw error;
      throw new CodecrewError('STORE_UNAVAILABLE', `the task store does not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}

import pg from 'pg';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { CodecrewError } from '@codecrew/core';
import type { ResolvedTask } from '../../task/resolve.ts';
import type { CheckpointStore, TaskCheckpointer } from './store.ts';
import { taskInLastCheckpoint } from './store.ts';

/** Any constant: the advisory lock that serializes the checkpoint tables' migrations of processes sharing a database. */
const SETUP_LOCK = 7_420_002;

/** The setups this process has run (or is running), by database URL and schema: each runs once per process. */
const setups = new Map<string, Promise<void>>();

/** The URL with its password hidden, for messages. */
export function redactedUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Creates or migrates the checkpoint tables in `schema`, once per process, one process at a time. */
function setupOnce(databaseUrl: string, schema: string, pool: pg.Pool, saver: PostgresSaver): Promise<void> {
  const key = `${databaseUrl}\n${schema}`;
  let setup = setups.get(key);
  if (setup === undefined) {
    setup = (async () => {
      // The session lock is held on a connection of its own while setup() runs its statements on another.
      const lock = await pool.connect();
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
        try {
          await saver.setup();
        } finally {
          await lock.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK]);
        }
      } finally {
        lock.release();
      }
    })();
    setups.set(key, setup);
    setup.catch(() => setups.delete(key));
  }
  return setup;
}

/**
 * Checkpoints in PostgreSQL through LangGraph's PostgresSaver, in the schema the connection's
 * `search_path` names first (where the task store keeps its tables: `public` unless the URL says
 * otherwise). One pool for every task of the process; `close` ends it.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  readonly kind = 'postgres';
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #saver: PostgresSaver;

  private constructor(location: string, pool: pg.Pool, saver: PostgresSaver) {
    this.location = location;
    this.#pool = pool;
    this.#saver = saver;
  }

  /**
   * Connects to `databaseUrl` and creates the checkpoint tables when missing. `STORE_UNAVAILABLE` when the
   * database cannot be reached or the tables cannot be created.
   */
  static async open(databaseUrl: string): Promise<PostgresCheckpointStore> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
    // An idle connection that breaks (a database restart) is dropped by the pool; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      const schema = rows[0]?.schema ?? null;
      if (schema === null) throw new Error('no schema of the search_path exists');
      const saver = new PostgresSaver(pool, undefined, { schema });
      await setupOnce(databaseUrl, schema, pool, saver);
      return new PostgresCheckpointStore(`PostgreSQL ${redactedUrl(databaseUrl)} (schema ${schema})`, pool, saver);
    } catch (error) {
      await pool.end();
      throw new CodecrewError(
        'STORE_UNAVAILABLE',
        `cannot open the checkpoints at ${redactedUrl(databaseUrl)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async checkpointerFor(): Promise<TaskCheckpointer> {
    // Threads are keyed by task id: every run shares the one saver and its pool.
    return { saver: this.#saver, release: async () => undefined };
  }

  loadTask(taskId: string): Promise<ResolvedTask | null> {
    return taskInLastCheckpoint(this.#saver, taskId);
  }

  deleteTask(taskId: string): Promise<void> {
    return this.#saver.deleteThread(taskId);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

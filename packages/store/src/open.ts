import { openPostgresTaskStore } from './postgres/store.ts';
import { openSqliteTaskStore } from './sqlite/store.ts';
import type { TaskStore, TaskStoreOptions } from './types.ts';

/**
 * Opens the task store: SQLite in `<dataDir>/codecrew.db` (created with its directory when
 * missing), or PostgreSQL at `databaseUrl` (`postgres://user:password@host:port/database`). The
 * schema is created on open when missing; opening an existing store changes nothing.
 * `STORE_UNAVAILABLE` when the database cannot be opened or reached.
 *
 * @example
 * const store = await openTaskStore(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir });
 */
export async function openTaskStore(options: TaskStoreOptions): Promise<TaskStore> {
  if ('databaseUrl' in options) return openPostgresTaskStore(options.databaseUrl);
  return openSqliteTaskStore(options.dataDir);
}

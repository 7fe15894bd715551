import { PostgresCheckpointStore } from './postgres.ts';
import { SqliteCheckpointStore } from './sqlite.ts';
import type { CheckpointStore, CheckpointStoreOptions } from './store.ts';

/**
 * Opens the store of LangGraph checkpoints: PostgreSQL at `databaseUrl` (its tables created once per
 * process when missing), or SQLite. `STORE_UNAVAILABLE` when PostgreSQL cannot be reached.
 *
 * @example
 * const checkpoints = await openCheckpointStore(
 *   process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { sqliteFile: '.codecrew/checkpoints.sqlite' },
 * );
 */
export async function openCheckpointStore(options: CheckpointStoreOptions): Promise<CheckpointStore> {
  if ('databaseUrl' in options) return PostgresCheckpointStore.open(options.databaseUrl);
  return new SqliteCheckpointStore(options);
}

export type { CheckpointStore, CheckpointStoreOptions, TaskCheckpointer } from './store.ts';

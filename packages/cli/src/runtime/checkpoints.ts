import { join } from 'node:path';
import { openCheckpointStore, type CheckpointStore } from '@codecrew/orchestrator';

/** The database URL that puts the task store and the checkpoints in PostgreSQL, or undefined for SQLite. */
export function databaseUrlFromEnv(): string | undefined {
  return process.env['DATABASE_URL'] || undefined;
}

/**
 * The checkpoints of `codecrew run`, `ask` and `resume`: PostgreSQL when `DATABASE_URL` is set, else
 * `<dataDir>/checkpoints.sqlite`.
 */
export function openRunCheckpoints(dataDir: string): Promise<CheckpointStore> {
  const databaseUrl = databaseUrlFromEnv();
  return openCheckpointStore(
    databaseUrl === undefined ? { sqliteFile: join(dataDir, 'checkpoints.sqlite') } : { databaseUrl },
  );
}

/**
 * The checkpoints of `codecrew serve`: PostgreSQL when `DATABASE_URL` is set (next to the task store), else
 * one SQLite file per task in `<dataDir>/checkpoints`.
 */
export function openServeCheckpoints(dataDir: string): Promise<CheckpointStore> {
  const databaseUrl = databaseUrlFromEnv();
  return openCheckpointStore(databaseUrl === undefined ? { sqliteDir: join(dataDir, 'checkpoints') } : { databaseUrl });
}

import type { PoolClient } from 'pg';
import { WEBHOOK_MIGRATION } from './webhooks.ts';

/**
 * The PostgreSQL schema, the same tables as SQLite's: `position` orders tasks by creation,
 * `last_seq` is the seq of the task's last event. JSON columns are `json`, which keeps the text
 * (and so the key order) as given. Each migration runs once, in order, recorded in
 * `codecrew_store_migrations`.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tasks (
    position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    repo TEXT NOT NULL,
    spec JSON NOT NULL,
    idempotency_key TEXT UNIQUE,
    out_dir TEXT,
    summary JSON,
    error JSON,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX tasks_status_position ON tasks (status, position);
  CREATE INDEX tasks_name_position ON tasks (name, position);
  CREATE INDEX tasks_repo_position ON tasks (repo, position);
  CREATE TABLE task_events (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    dedup_key TEXT,
    event JSON NOT NULL,
    PRIMARY KEY (task_id, seq)
  );
  CREATE UNIQUE INDEX task_events_dedup ON task_events (task_id, dedup_key) WHERE dedup_key IS NOT NULL;
  `,
  WEBHOOK_MIGRATION,
  `
  ALTER TABLE tasks ADD COLUMN parent TEXT;
  CREATE INDEX tasks_parent_position ON tasks (parent, position);
  CREATE TABLE task_comments (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revision TEXT,
    PRIMARY KEY (task_id, id)
  );
  `,
];

/** Any constant: the advisory lock that serializes migrations of processes opening the same database. */
const MIGRATION_LOCK = 7_420_001;

/** Applies the migrations this database has not had yet; safe from several processes at once. */
export async function migrate(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS codecrew_store_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM codecrew_store_migrations',
    );
    const applied = rows[0]?.version ?? 0;
    for (let version = applied + 1; version <= MIGRATIONS.length; version += 1) {
      await client.query(MIGRATIONS[version - 1] as string);
      await client.query('INSERT INTO codecrew_store_migrations (version) VALUES ($1)', [version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

import type { Database } from 'better-sqlite3';

/**
 * The SQLite schema. `position` orders tasks by creation (lists, cursors, the first-in-first-out
 * claim); `last_seq` is the seq of the task's last event; JSON columns hold text.
 * Every statement is idempotent, so opening an existing database changes nothing.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  repo TEXT NOT NULL,
  spec TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  out_dir TEXT,
  summary TEXT,
  error TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tasks_status_position ON tasks (status, position);
CREATE INDEX IF NOT EXISTS tasks_name_position ON tasks (name, position);
CREATE INDEX IF NOT EXISTS tasks_repo_position ON tasks (repo, position);
CREATE TABLE IF NOT EXISTS task_events (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  dedup_key TEXT,
  event TEXT NOT NULL,
  PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS task_events_dedup ON task_events (task_id, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS task_comments (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revision TEXT,
  PRIMARY KEY (task_id, id)
) WITHOUT ROWID;
`;

/** Columns added to `tasks` after its first version, added to databases made before them. */
const ADDED_TASK_COLUMNS: ReadonlyArray<[string, string]> = [['parent', 'TEXT']];

/** Sets the connection up (WAL, foreign keys, a busy timeout) and creates the schema if missing. */
export function prepareDatabase(db: Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const columns = new Set((db.pragma('table_info(tasks)') as Array<{ name: string }>).map((column) => column.name));
  for (const [name, type] of ADDED_TASK_COLUMNS) {
    if (!columns.has(name)) db.exec(`ALTER TABLE tasks ADD COLUMN ${name} ${type}`);
  }
  db.exec('CREATE INDEX IF NOT EXISTS tasks_parent_position ON tasks (parent, position)');
}

import type { Database, Statement } from 'better-sqlite3';
import { normalizeTime, taskNotFound } from '../records.ts';
import { checkAttemptRecord, deliveryFromRow, deliveryNotFound, type DeliveryRow } from '../webhook-records.ts';
import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptRecord,
  WebhookDelivery,
  WebhookDeliveryStore,
} from '../webhook-types.ts';

/** The webhook deliveries table; idempotent, like the rest of the SQLite schema. */
const WEBHOOK_SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts TEXT NOT NULL DEFAULT '[]',
  next_attempt_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_task ON webhook_deliveries (task_id, position);
CREATE INDEX IF NOT EXISTS webhook_deliveries_status ON webhook_deliveries (status, position);
`;

/** A delivery row as better-sqlite3 returns it: the attempts as JSON text, times as ISO 8601 text. */
type SqliteDeliveryRow = DeliveryRow<string, string>;

const toDelivery = (row: SqliteDeliveryRow): WebhookDelivery =>
  deliveryFromRow(
    row,
    (attempts) => JSON.parse(attempts) as WebhookAttempt[],
    (time) => time,
  );

/** Webhook deliveries in the SQLite store's database (the table is created when missing). */
export class SqliteWebhookDeliveries implements WebhookDeliveryStore {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Database) {
    this.#db = db;
    db.exec(WEBHOOK_SCHEMA);
  }

  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async createWebhookDelivery(input: NewWebhookDelivery): Promise<WebhookDelivery> {
    const now = new Date().toISOString();
    const due = normalizeTime(input.nextAttemptAt ?? now, 'nextAttemptAt');
    return this.#db
      .transaction(() => {
        if (this.#statement('SELECT 1 FROM tasks WHERE id = ?').get(input.taskId) === undefined) {
          throw taskNotFound(input.taskId);
        }
        const row = this.#statement(
          `INSERT INTO webhook_deliveries (id, task_id, url, event, payload, status, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
        ).get(input.id, input.taskId, input.url, input.event, input.payload, due, now) as SqliteDeliveryRow;
        return toDelivery(row);
      })
      .immediate();
  }

  async recordWebhookAttempt(id: string, record: WebhookAttemptRecord): Promise<WebhookDelivery> {
    const checked = checkAttemptRecord(record);
    return this.#db
      .transaction(() => {
        const row = this.#statement('SELECT attempts FROM webhook_deliveries WHERE id = ?').get(id) as
          { attempts: string } | undefined;
        if (row === undefined) throw deliveryNotFound(id);
        const attempts = [...(JSON.parse(row.attempts) as WebhookAttempt[]), checked.attempt];
        const updated = this.#statement(
          'UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ? WHERE id = ? RETURNING *',
        ).get(JSON.stringify(attempts), checked.status, checked.nextAttemptAt, id) as SqliteDeliveryRow;
        return toDelivery(updated);
      })
      .immediate();
  }

  async listWebhookDeliveries(taskId: string): Promise<WebhookDelivery[]> {
    const rows = this.#statement('SELECT * FROM webhook_deliveries WHERE task_id = ? ORDER BY position').all(
      taskId,
    ) as SqliteDeliveryRow[];
    return rows.map(toDelivery);
  }

  async pendingWebhookDeliveries(): Promise<WebhookDelivery[]> {
    const rows = this.#statement(
      "SELECT * FROM webhook_deliveries WHERE status = 'pending' ORDER BY position",
    ).all() as SqliteDeliveryRow[];
    return rows.map(toDelivery);
  }
}

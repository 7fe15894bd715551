import type { Pool } from 'pg';
import { normalizeTime, taskNotFound } from '../records.ts';
import { checkAttemptRecord, deliveryFromRow, deliveryNotFound, type DeliveryRow } from '../webhook-records.ts';
import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptRecord,
  WebhookDelivery,
  WebhookDeliveryStore,
} from '../webhook-types.ts';
import { storeError } from './errors.ts';

/**
 * The migration that adds the webhook deliveries table (`IF NOT EXISTS`, so that its place among the
 * migrations does not matter to a database that has it).
 */
export const WEBHOOK_MIGRATION = `
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts JSON NOT NULL DEFAULT '[]',
    next_attempt_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_task ON webhook_deliveries (task_id, position);
  CREATE INDEX IF NOT EXISTS webhook_deliveries_status ON webhook_deliveries (status, position);
  `;

/** A delivery row as node-postgres returns it: the attempts parsed from JSON, times as Dates. */
type PostgresDeliveryRow = DeliveryRow<WebhookAttempt[], Date>;

const toDelivery = (row: PostgresDeliveryRow): WebhookDelivery =>
  deliveryFromRow(
    row,
    (attempts) => attempts,
    (time) => time.toISOString(),
  );

const FOREIGN_KEY_VIOLATION = '23503';

/** Webhook deliveries in the PostgreSQL store's database. */
export class PostgresWebhookDeliveries implements WebhookDeliveryStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async #query(sql: string, params: unknown[]): Promise<PostgresDeliveryRow[]> {
    try {
      return (await this.#pool.query<PostgresDeliveryRow>(sql, params)).rows;
    } catch (error) {
      throw storeError(error);
    }
  }

  async createWebhookDelivery(input: NewWebhookDelivery): Promise<WebhookDelivery> {
    const now = new Date().toISOString();
    const due = normalizeTime(input.nextAttemptAt ?? now, 'nextAttemptAt');
    try {
      const { rows } = await this.#pool.query<PostgresDeliveryRow>(
        `INSERT INTO webhook_deliveries (id, task_id, url, event, payload, status, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING *`,
        [input.id, input.taskId, input.url, input.event, input.payload, due, now],
      );
      return toDelivery(rows[0] as PostgresDeliveryRow);
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw taskNotFound(input.taskId);
      throw storeError(error);
    }
  }

  async recordWebhookAttempt(id: string, record: WebhookAttemptRecord): Promise<WebhookDelivery> {
    const checked = checkAttemptRecord(record);
    // One statement: the attempt is appended to what is stored, so concurrent records never lose one.
    const rows = await this.#query(
      `UPDATE webhook_deliveries
          SET attempts = (attempts::jsonb || jsonb_build_array($2::jsonb))::json, status = $3, next_attempt_at = $4
        WHERE id = $1 RETURNING *`,
      [id, JSON.stringify(checked.attempt), checked.status, checked.nextAttemptAt],
    );
    if (rows[0] === undefined) throw deliveryNotFound(id);
    return toDelivery(rows[0]);
  }

  async listWebhookDeliveries(taskId: string): Promise<WebhookDelivery[]> {
    const rows = await this.#query('SELECT * FROM webhook_deliveries WHERE task_id = $1 ORDER BY position', [taskId]);
    return rows.map(toDelivery);
  }

  async pendingWebhookDeliveries(): Promise<WebhookDelivery[]> {
    const rows = await this.#query("SELECT * FROM webhook_deliveries WHERE status = 'pending' ORDER BY position", []);
    return rows.map(toDelivery);
  }
}

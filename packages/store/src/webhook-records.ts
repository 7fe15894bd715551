import { CodecrewError } from '@codecrew/core';
import { normalizeTime } from './records.ts';
import type { WebhookAttempt, WebhookAttemptRecord, WebhookDelivery, WebhookDeliveryStatus } from './webhook-types.ts';

const STATUSES: readonly WebhookDeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** The error of a delivery id the store does not have. */
export function deliveryNotFound(id: string): CodecrewError {
  return new CodecrewError('WEBHOOK_DELIVERY_NOT_FOUND', `no webhook delivery ${id}`, { details: { id } });
}

/** Checks an attempt record: a known status, a due time exactly when pending, times in ISO 8601. */
export function checkAttemptRecord(record: WebhookAttemptRecord): WebhookAttemptRecord {
  if (!STATUSES.includes(record.status)) {
    throw new CodecrewError('INTERNAL', `unknown webhook delivery status ${String(record.status)}`);
  }
  if ((record.status === 'pending') !== (record.nextAttemptAt !== null)) {
    throw new CodecrewError('INTERNAL', 'a pending delivery needs the time of its next attempt, a settled one none');
  }
  return {
    status: record.status,
    nextAttemptAt: record.nextAttemptAt === null ? null : normalizeTime(record.nextAttemptAt, 'nextAttemptAt'),
    attempt: { ...record.attempt, at: normalizeTime(record.attempt.at, 'attempt.at') },
  };
}

/**
 * A `webhook_deliveries` row as a database driver returns it: `Attempts` is the driver's type for the
 * attempts column (JSON text, or parsed JSON), `Time` its type for a timestamp.
 */
export interface DeliveryRow<Attempts, Time> {
  id: string;
  task_id: string;
  url: string;
  event: string;
  payload: string;
  status: string;
  attempts: Attempts;
  next_attempt_at: Time | null;
  created_at: Time;
}

/** The delivery a row holds; `attempts` and `time` read the driver's column types. */
export function deliveryFromRow<Attempts, Time>(
  row: DeliveryRow<Attempts, Time>,
  attempts: (value: Attempts) => WebhookAttempt[],
  time: (value: Time) => string,
): WebhookDelivery {
  return {
    id: row.id,
    taskId: row.task_id,
    url: row.url,
    event: row.event,
    payload: row.payload,
    status: row.status as WebhookDeliveryStatus,
    attempts: attempts(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : time(row.next_attempt_at),
    createdAt: time(row.created_at),
  };
}

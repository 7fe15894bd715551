import { CodecrewError } from '@codecrew/core';
import { normalizeTime } from './records.ts';
import type { WebhookAttemptRecord, WebhookDeliveryStatus } from './webhook-types.ts';

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

/** Where a webhook delivery stands: `pending` until one attempt is answered 2xx (`delivered`) or none is left (`failed`). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One POST of a delivery to its receiver, and how it was answered. */
export interface WebhookAttempt {
  /** 1, 2, 3… */
  attempt: number;
  /** When the request was sent (ISO 8601, UTC). */
  at: string;
  /** The HTTP status of the answer; null when none came (refused, timed out). */
  statusCode: number | null;
  /** Why the attempt failed; null when it succeeded. */
  error: string | null;
  durationMs: number;
}

/** One event sent (or to be sent) to one webhook receiver, with every attempt so far. */
export interface WebhookDelivery {
  /** The event's id: the same for every attempt, so a receiver can drop a repeat. */
  id: string;
  taskId: string;
  /** The receiver's URL, as configured. */
  url: string;
  /** `task.queued`, `task.started`, `plan.awaiting_approval`, `task.ended`… */
  event: string;
  /** The JSON body sent, byte for byte the same at each attempt (its signature covers it). */
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookAttempt[];
  /** When the next attempt is due; null once the delivery is settled. */
  nextAttemptAt: string | null;
  createdAt: string;
}

/** A delivery to record before its first attempt. */
export interface NewWebhookDelivery {
  id: string;
  taskId: string;
  url: string;
  event: string;
  payload: string;
  /** When the first attempt is due; default now. */
  nextAttemptAt?: string;
}

/** An attempt to add to a delivery, and the delivery's state after it. */
export interface WebhookAttemptRecord {
  attempt: WebhookAttempt;
  status: WebhookDeliveryStatus;
  /** When the next attempt is due (status `pending`); null otherwise. */
  nextAttemptAt: string | null;
}

/** The webhook part of the task store: deliveries survive a restart, and every attempt is kept. */
export interface WebhookDeliveryStore {
  /** Records a pending delivery; `TASK_NOT_FOUND` when the task does not exist. */
  createWebhookDelivery(input: NewWebhookDelivery): Promise<WebhookDelivery>;
  /** Appends an attempt to a delivery and sets its status; `WEBHOOK_DELIVERY_NOT_FOUND` when there is none. */
  recordWebhookAttempt(id: string, record: WebhookAttemptRecord): Promise<WebhookDelivery>;
  /** The task's deliveries, in the order they were created (empty when none, or no such task). */
  listWebhookDeliveries(taskId: string): Promise<WebhookDelivery[]>;
  /** Every pending delivery of every task, oldest first: what a server resumes at start-up. */
  pendingWebhookDeliveries(): Promise<WebhookDelivery[]>;
}

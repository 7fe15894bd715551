import { z } from 'zod';
import { Duration } from './spec.ts';

/**
 * The events a webhook may subscribe to: a task was queued, started (also when it resumes), its plan
 * waits for approval or was approved, rejected or edited, and it ended (whatever its final status).
 */
export const WEBHOOK_EVENTS = [
  'task.queued',
  'task.started',
  'plan.awaiting_approval',
  'plan.approved',
  'plan.rejected',
  'plan.edited',
  'task.ended',
] as const;
/** One event a webhook may subscribe to. */
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** One receiver of `codecrew serve`'s webhooks: where, for which events, signed with which secret. */
export const WebhookConfig = z
  .object({
    url: z
      .string()
      .url()
      .regex(/^https?:\/\//i, 'an http:// or https:// URL'),
    events: z.array(WebhookEvent).min(1),
    /** The HMAC-SHA256 key of the `X-Codecrew-Signature` header. */
    secret: z.string().min(1),
    /** Attempts of one event before it is given up (the first included); default 8. */
    maxAttempts: z.number().int().min(1).max(20).optional(),
    /** The wait before the second attempt, doubled before each next one; default 1s. */
    initialDelay: Duration.optional(),
  })
  .strict();
export type WebhookConfig = z.infer<typeof WebhookConfig>;

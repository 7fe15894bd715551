import { z } from 'zod';
import { PushSpec, WEBHOOK_EVENTS } from '@codecrew/core';
import { ErrorBody, NoQuery, TaskParams } from './schemas.ts';

/** The body of POST /v1/tasks/{id}/push: the remote, default the task's `output.push.remote`, else `origin`. */
export const PushBody = z
  .object({ remote: PushSpec.shape.remote.optional() })
  .strict()
  .meta({ description: 'Where to push the result branch; default output.push.remote of the task, else origin' });
export type PushBody = z.infer<typeof PushBody>;

/** The answer of POST /v1/tasks/{id}/push. */
export const PushResult = z
  .object({
    remote: z.string().meta({ description: 'The remote as named (a URL without its credentials)' }),
    branch: z.string(),
    commit: z.string(),
  })
  .strict();

/** One attempt of a webhook delivery. */
const WebhookAttemptView = z
  .object({
    attempt: z.number().int(),
    at: z.string(),
    status_code: z.number().int().nullable().meta({ description: 'The HTTP status answered; null when none came' }),
    error: z.string().nullable(),
    duration_ms: z.number(),
  })
  .strict();

/** One webhook delivery of a task. */
export const WebhookDeliveryView = z
  .object({
    id: z.string().meta({ description: 'The X-Codecrew-Delivery header: the same on every attempt' }),
    event: z.enum(WEBHOOK_EVENTS),
    url: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    created_at: z.string(),
    next_attempt_at: z.string().nullable(),
    attempts: z.array(WebhookAttemptView),
  })
  .strict();

/** The answer of GET /v1/tasks/{id}/webhooks. */
export const WebhookDeliveryList = z.object({ deliveries: z.array(WebhookDeliveryView) }).strict();

const error = (description: string) => ({ description, schema: ErrorBody });

/** The operations of pushing a result and listing webhook deliveries (part of OPERATIONS). */
export const DELIVERY_OPERATIONS = {
  pushTask: {
    method: 'post' as const,
    path: '/v1/tasks/{id}/push',
    operationId: 'pushTask',
    summary: "Push an ended task's result branch",
    description:
      "Runs git push of the result branch from the repository that holds it (for a repo.url task, the cached clone; there origin is the task URL), never forced. A refusal or an authentication failure answers 502 PUSH_FAILED with git's message, credentials redacted; nothing else changes.",
    params: TaskParams,
    query: NoQuery,
    body: { schema: PushBody, contentTypes: ['application/json'], description: 'The remote (optional)' },
    responses: {
      200: { description: 'Pushed', schema: PushResult },
      400: error('The remote is malformed (REQUEST_INVALID)'),
      404: error('No task with this id (TASK_NOT_FOUND)'),
      409: error('The task has not ended (TASK_NOT_ENDED) or has no result branch (RESULT_NOT_READY)'),
      502: error('git push failed: refused, or the remote could not be reached or authenticated (PUSH_FAILED)'),
    },
  },
  listWebhookDeliveries: {
    method: 'get' as const,
    path: '/v1/tasks/{id}/webhooks',
    operationId: 'listWebhookDeliveries',
    summary: "The task's webhook deliveries, with every attempt",
    params: TaskParams,
    query: NoQuery,
    responses: {
      200: { description: 'The deliveries, oldest first', schema: WebhookDeliveryList },
      404: error('No task with this id (TASK_NOT_FOUND)'),
    },
  },
};

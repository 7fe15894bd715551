import type { FastifyInstance } from 'fastify';
import { pushBranch } from '@codecrew/orchestrator';
import type { WebhookDelivery } from '@codecrew/store';
import { DELIVERY_OPERATIONS, PushBody } from '../api/delivery-schemas.ts';
import { routePath } from '../api/operations.ts';
import { NoQuery, TaskParams } from '../api/schemas.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field of nested records, or undefined. */
function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

/** The request's JSON body (sent as text); an empty body is `{}`. */
function jsonBodyOf(body: unknown): unknown {
  const text = typeof body === 'string' ? body : '';
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw apiError('REQUEST_INVALID', `the request body is not valid JSON: ${(error as Error).message}`, {
      issues: [],
    });
  }
}

function deliveryView(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    event: delivery.event,
    url: delivery.url,
    status: delivery.status,
    created_at: delivery.createdAt,
    next_attempt_at: delivery.nextAttemptAt,
    attempts: delivery.attempts.map((attempt) => ({
      attempt: attempt.attempt,
      at: attempt.at,
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })),
  };
}

/** POST /v1/tasks/{id}/push and GET /v1/tasks/{id}/webhooks. */
export function deliveryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(routePath(DELIVERY_OPERATIONS.pushTask), async (request) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    const body = parseRequest(PushBody, jsonBodyOf(request.body), 'the body');
    const record = await ctx.store.getTask(id);
    if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
    if (!hasEnded(record.status)) {
      throw apiError('TASK_NOT_ENDED', `task ${id} is ${record.status}; push its branch once it has ended`, {
        id,
        status: record.status,
      });
    }
    const branch = field(record.summary, 'result', 'branch');
    const repository = field(record.summary, 'result', 'repository');
    if (typeof branch !== 'string' || typeof repository !== 'string') {
      throw apiError('RESULT_NOT_READY', `task ${id} has no result branch to push`, { id });
    }
    const specRemote = field(record.spec, 'spec', 'output', 'push', 'remote');
    const remote = body.remote ?? (typeof specRemote === 'string' ? specRemote : 'origin');
    const repoUrl = field(record.spec, 'spec', 'repo', 'url');
    const pushed = await pushBranch({
      repoRoot: repository,
      remote,
      branch,
      repoUrl: typeof repoUrl === 'string' ? repoUrl : null,
    });
    ctx.log(`task ${id}: pushed ${pushed.branch} (${pushed.commit.slice(0, 10)}) to ${pushed.remote}`);
    return pushed;
  });

  app.get(routePath(DELIVERY_OPERATIONS.listWebhookDeliveries), async (request) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    if ((await ctx.store.getTask(id)) === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
    return { deliveries: (await ctx.store.listWebhookDeliveries(id)).map(deliveryView) };
  });
}

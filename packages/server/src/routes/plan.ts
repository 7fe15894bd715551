import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodecrewError, checkPlan, parseYaml } from '@codecrew/core';
import { PlanDecisionBody } from '../api/approval-schemas.ts';
import { NoQuery, TaskParams } from '../api/schemas.ts';
import { JSON_TYPES, YAML_TYPES, routePath } from '../api/operations.ts';
import { PLAN_OPERATIONS } from '../api/plan-operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { mediaTypeOf } from './tasks.ts';
import type { PlanDecisionInput } from '../run/scheduler.ts';
import { viewOf } from '../tasks/view.ts';

/** The body as a value: JSON, or YAML (handy for an edited plan); bodies reach the routes as text. */
function bodyOf(request: FastifyRequest): unknown {
  const type = mediaTypeOf(request.headers['content-type']);
  const text = typeof request.body === 'string' ? request.body : '';
  if (YAML_TYPES.includes(type)) return parseYaml(text, 'the body');
  if (!JSON_TYPES.includes(type)) {
    throw apiError('MEDIA_TYPE_UNSUPPORTED', `send the decision as application/json, not "${type}"`, {
      contentType: type,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw apiError('REQUEST_INVALID', `the body is not JSON: ${reason}`, {
      issues: [{ path: '(root)', message: reason }],
    });
  }
}

/** The decision of a request body: an edited plan checked like any plan, each problem at its path. */
function decisionOf(body: unknown): PlanDecisionInput {
  const decision = parseRequest(PlanDecisionBody, body, 'the decision');
  const by = decision.by;
  const reason = decision.reason === undefined ? {} : { reason: decision.reason };
  if (decision.action !== 'edit') return { action: decision.action, by, ...reason };
  const checked = checkPlan(decision.plan);
  if (checked.plan === null) {
    const issues = checked.issues.map((issue) => ({ path: `plan.${issue.path}`, message: issue.message }));
    throw new CodecrewError(
      'REQUEST_INVALID',
      `the edited plan is not valid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      { details: { issues } },
    );
  }
  return { action: 'edit', by, plan: checked.plan, ...reason };
}

/** POST /v1/tasks/{id}/plan: approve, edit or reject a plan awaiting approval. */
export function planRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(routePath(PLAN_OPERATIONS.decidePlan), async (request, reply) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    parseRequest(NoQuery, request.query, 'the query');
    const record = await ctx.scheduler.decidePlan(id, decisionOf(bodyOf(request)));
    ctx.feed.notify(id);
    return reply.code(202).send(viewOf(record));
  });
}

import type { FastifyInstance } from 'fastify';
import { CodecrewError, checkPlan } from '@codecrew/core';
import { PlanDecisionBody } from '../api/approval-schemas.ts';
import { NoQuery, TaskParams } from '../api/schemas.ts';
import { routePath } from '../api/operations.ts';
import { PLAN_OPERATIONS } from '../api/plan-operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import type { PlanDecisionInput } from '../run/scheduler.ts';
import { viewOf } from '../tasks/view.ts';

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
    const record = await ctx.scheduler.decidePlan(id, decisionOf(request.body));
    ctx.feed.notify(id);
    return reply.code(202).send(viewOf(record));
  });
}

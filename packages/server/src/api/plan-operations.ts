import { ErrorBody, NoQuery, TaskParams, TaskView } from './schemas.ts';
import { PlanDecisionBody } from './approval-schemas.ts';
import type { Operation } from './operations.ts';

/** The operations on a task's plan. */
export const PLAN_OPERATIONS = {
  decidePlan: {
    method: 'post',
    path: '/v1/tasks/{id}/plan',
    operationId: 'decidePlan',
    summary: 'Approve, edit or reject the plan of a task awaiting approval',
    description:
      'Only for a task in awaiting_approval (spec.plan.approval: required). approve and edit queue the task again, ahead of tasks submitted after it, and it goes on from its checkpoint when a slot is free; reject ends it cancelled (error PLAN_REJECTED). The trace gets plan.approved, plan.edited or plan.rejected with who and when.',
    params: TaskParams,
    query: NoQuery,
    body: {
      schema: PlanDecisionBody,
      contentTypes: ['application/json', 'application/yaml'],
      description: 'The decision (JSON, or YAML)',
    },
    responses: {
      202: { description: 'Decided: the task is queued to act on it', schema: TaskView },
      400: {
        description:
          'Not a decision, or an edited plan that is not valid (REQUEST_INVALID; details.issues give each problem at its path, e.g. plan.subtasks[0].depends_on for a cycle)',
        schema: ErrorBody,
      },
      404: { description: 'No task with this id (TASK_NOT_FOUND)', schema: ErrorBody },
      415: { description: 'Neither JSON nor YAML (MEDIA_TYPE_UNSUPPORTED)', schema: ErrorBody },
      409: {
        description: 'The task does not wait for a decision on its plan (TASK_NOT_AWAITING_APPROVAL)',
        schema: ErrorBody,
      },
    },
  },
} satisfies Record<string, Operation>;

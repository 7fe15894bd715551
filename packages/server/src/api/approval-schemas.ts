import { z } from 'zod';
import { PlanDecision } from '@codecrew/core';

/** Where a task's plan stands with its approval (`spec.plan.approval: required`). */
export const ApprovalView = z
  .object({
    state: z.enum(['awaiting', 'approved', 'edited', 'rejected']).meta({
      description:
        'awaiting: the task waits for a decision (status awaiting_approval), or is queued to go on with one (decided_by set); approved, edited (approved with changes) or rejected',
    }),
    since: z.string().meta({ description: 'When the wait began' }),
    deadline: z
      .string()
      .nullable()
      .meta({ description: 'When the wait ends by itself (spec.plan.timeout); null: never' }),
    on_timeout: z.enum(['approve', 'cancel']),
    decided_by: z.string().nullable(),
    decided_at: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .strict();
export type ApprovalView = z.infer<typeof ApprovalView>;

/** The body of `POST /v1/tasks/{id}/plan`. */
export const PlanDecisionBody = PlanDecision.meta({
  description:
    'approve the plan as it is, reject it (the task ends cancelled with PLAN_REJECTED), or edit it: `plan` replaces the plan ({summary, subtasks: [{id, title, description, files, depends_on}]}) and is checked like any plan. `by` names who decided (default "api"); `reason` is kept in the trace.',
});

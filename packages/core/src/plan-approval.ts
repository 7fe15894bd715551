import { z } from 'zod';
import { Plan } from './plan.ts';
import { validatePlanAt } from './plan-validate.ts';

/** Who decided: a name given by the client, or `timeout` when the wait ran out. */
const DecidedBy = z.string().min(1).max(200);

/**
 * A decision on a plan awaiting approval (the body of `POST /v1/tasks/{id}/plan`): approve it as it is,
 * reject it (the task is cancelled), or replace it with an edited plan (validated like any plan) and go on.
 */
export const PlanDecision = z.discriminatedUnion('action', [
  z.object({ action: z.literal('approve'), by: DecidedBy.optional(), reason: z.string().optional() }).strict(),
  z.object({ action: z.literal('reject'), by: DecidedBy.optional(), reason: z.string().optional() }).strict(),
  z
    .object({ action: z.literal('edit'), plan: z.unknown(), by: DecidedBy.optional(), reason: z.string().optional() })
    .strict(),
]);
export type PlanDecision = z.infer<typeof PlanDecision>;

/** A decision as the graph receives it: who and when are always set, and an edited plan is a valid {@link Plan}. */
export interface PlanVerdict {
  action: 'approve' | 'reject' | 'edit';
  by: string;
  at: string;
  reason?: string;
  plan?: Plan;
}

/** One thing wrong with a plan, at a field path such as `subtasks[1].depends_on[0]`. */
export interface PlanIssue {
  path: string;
  message: string;
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${String(part)}`;
  return text === '' ? '(plan)' : text;
}

/**
 * Checks a plan given by a person (an edited plan): its shape (ids, titles, file globs) and that it is a
 * usable DAG (unique ids, known dependencies, no cycle). Returns the plan, or every issue with its path.
 */
export function checkPlan(input: unknown): { plan: Plan; issues: [] } | { plan: null; issues: PlanIssue[] } {
  const parsed = Plan.safeParse(input);
  if (!parsed.success) {
    return {
      plan: null,
      issues: parsed.error.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message })),
    };
  }
  const issues = validatePlanAt(parsed.data).map((issue) => ({ path: pathText(issue.path), message: issue.message }));
  return issues.length === 0 ? { plan: parsed.data, issues: [] } : { plan: null, issues };
}

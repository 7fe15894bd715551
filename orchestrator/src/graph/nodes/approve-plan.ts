import { interrupt } from '@langchain/langgraph';
import { validatePlan, type Plan, type PlanVerdict } from '@codecrew/core';
import type { GraphDeps } from '../deps.ts';
import { overlapOrdering } from '../overlap.ts';
import { afterPlan } from '../routes.ts';
import type { SubtaskState, TaskStateUpdate, TaskStateValue } from '../state.ts';

/** What the graph hands out while it waits for a decision on its plan (the interrupt's value). */
export interface PlanApprovalRequest {
  plan: Plan;
}

/** After planning: the wait for a person's decision when the task asks for one, else the first wave. */
export function routeAfterPlan(state: TaskStateValue): ReturnType<typeof afterPlan> | 'approve_plan' {
  if (state.status === 'running' && state.task.planApproval.required && state.taskPlan !== null) return 'approve_plan';
  return afterPlan(state);
}

function pendingSubtask(id: string, title: string): SubtaskState {
  return { id, title, status: 'pending', summary: '', changedFiles: [], error: null, conflictTries: 0, next: null };
}

/** The state an edited plan leads to: its subtasks pending, those it dropped skipped, the order of overlapping ones. */
function editedPlanUpdate(state: TaskStateValue, plan: Plan, deps: GraphDeps): TaskStateUpdate {
  const subtasks: Record<string, SubtaskState> = {};
  for (const id of Object.keys(state.subtasks)) {
    if (!plan.subtasks.some((s) => s.id === id))
      subtasks[id] = {
        ...pendingSubtask(id, id),
        status: 'skipped',
        summary: 'removed from the plan when it was edited',
      };
  }
  for (const subtask of plan.subtasks) subtasks[subtask.id] = pendingSubtask(subtask.id, subtask.title);
  deps.emit('plan', `plan: ${plan.subtasks.length} subtask(s) — ${plan.summary}`, { plan, edited: true });
  const ordering = overlapOrdering(plan);
  for (const order of ordering)
    deps.emit('log', `${order.subtaskId} waits for ${order.after}: ${order.reason}`, { ...order });
  return { taskPlan: plan, subtasks, ordering };
}

/**
 * approve_plan: the graph stops here (a LangGraph interrupt, checkpointed) until it is resumed with a
 * {@link PlanVerdict}: approve goes on with the plan, edit goes on with the edited plan (checked again),
 * reject ends the task as cancelled with PLAN_REJECTED. Nothing runs and nothing is spent while it waits.
 */
export async function approvePlanNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const plan = state.taskPlan as Plan;
  const verdict = interrupt<PlanApprovalRequest, PlanVerdict>({ plan });
  const who = { by: verdict.by, at: verdict.at, ...(verdict.reason === undefined ? {} : { reason: verdict.reason }) };
  const because = verdict.reason ? `: ${verdict.reason}` : '';
  if (verdict.action === 'reject') {
    deps.emit('plan.rejected', `plan rejected by ${verdict.by}${because}`, who);
    return {
      status: 'cancelled',
      error: { code: 'PLAN_REJECTED', message: `the plan was rejected by ${verdict.by}${because}`, retryable: false },
    };
  }
  if (verdict.action === 'approve' || verdict.plan === undefined) {
    deps.emit('plan.approved', `plan approved by ${verdict.by}${because}`, who);
    return {};
  }
  // The server checks an edited plan before it resumes the graph; a plan edited elsewhere is checked here.
  const problems = validatePlan(verdict.plan);
  if (problems.length > 0) {
    return {
      status: 'failed',
      error: {
        code: 'PLAN_INVALID',
        message: `the edited plan is not valid: ${problems.join('; ')}`,
        retryable: false,
      },
    };
  }
  deps.emit('plan.edited', `plan edited by ${verdict.by}${because}: ${verdict.plan.subtasks.length} subtask(s)`, {
    ...who,
    previous: plan,
    plan: verdict.plan,
  });
  return editedPlanUpdate(state, verdict.plan, deps);
}

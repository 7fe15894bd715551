import type { Plan } from '@codecrew/core';
import type { TaskStateValue } from '../graph/state.ts';

/**
 * A task stopped at its plan, waiting for a person's decision (`spec.plan.approval: required`). Its
 * graph is checkpointed at the wait (a LangGraph interrupt); `runTask` again with a `planVerdict` goes
 * on from there.
 */
export interface AwaitingApproval {
  taskId: string;
  status: 'awaiting_approval';
  plan: Plan;
  /** When the wait began (ISO 8601). */
  since: string;
  /** When the wait ends by itself (ISO 8601), or null without `spec.plan.timeout`. */
  deadline: string | null;
  onTimeout: 'approve' | 'cancel';
}

/** The part of a compiled task graph the wait needs: its state, with the interrupts of its pending steps. */
interface InterruptibleGraph {
  getState(config: { configurable: { thread_id: string } }): Promise<{
    values: unknown;
    tasks: ReadonlyArray<{ interrupts?: readonly unknown[] }>;
  }>;
}

/** True when the task's graph is stopped at an interrupt (the plan's wait for a decision). */
export async function waitsForPlanDecision(graph: InterruptibleGraph, taskId: string): Promise<boolean> {
  const snapshot = await graph.getState({ configurable: { thread_id: taskId } });
  return snapshot.tasks.some((pending) => (pending.interrupts?.length ?? 0) > 0);
}

/** The wait that begins now for the task's plan, and the `plan.awaiting_approval` event that tells it. */
export async function beginPlanWait(
  graph: InterruptibleGraph,
  taskId: string,
  now: Date,
): Promise<{ wait: AwaitingApproval; message: string; data: Record<string, unknown> }> {
  const values = (await graph.getState({ configurable: { thread_id: taskId } })).values as TaskStateValue;
  const plan = values.taskPlan as Plan;
  const { timeoutMs, onTimeout } = values.task.planApproval;
  const since = now.toISOString();
  const deadline = timeoutMs === null ? null : new Date(now.getTime() + timeoutMs).toISOString();
  const ending =
    deadline === null ? '' : `; at ${deadline} it is ${onTimeout === 'approve' ? 'approved' : 'cancelled'}`;
  return {
    wait: { taskId, status: 'awaiting_approval', plan, since, deadline, onTimeout },
    message: `plan awaits approval: ${plan.subtasks.length} subtask(s)${ending}`,
    data: { plan, since, deadline, timeoutMs, onTimeout },
  };
}

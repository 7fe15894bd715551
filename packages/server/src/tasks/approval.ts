import type { Plan, PlanVerdict, TraceEvent } from '@codecrew/core';

/** Where a task's plan stands with its approval, as the task's summary keeps it. */
export interface ApprovalSummary {
  /** `awaiting`: the task waits for a decision (or, with `decision` set, is queued to go on with it). */
  state: 'awaiting' | 'approved' | 'edited' | 'rejected';
  /** When the wait began. */
  since: string;
  /** When the wait ends by itself (`onTimeout`), or null. */
  deadline: string | null;
  onTimeout: 'approve' | 'cancel';
  /** The decision taken and not yet acted on by the task's graph. */
  decision: PlanVerdict | null;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOr = <T>(value: unknown, fallback: T): string | T => (typeof value === 'string' ? value : fallback);

/** A stored approval, or null when the value holds none. */
export function approvalOf(value: unknown): ApprovalSummary | null {
  if (!isRecord(value) || typeof value['state'] !== 'string' || typeof value['since'] !== 'string') return null;
  return value as unknown as ApprovalSummary;
}

const DECIDED: Partial<Record<TraceEvent['kind'], ApprovalSummary['state']>> = {
  'plan.approved': 'approved',
  'plan.edited': 'edited',
  'plan.rejected': 'rejected',
};

/**
 * The approval after one trace event: a `plan.awaiting_approval` begins a wait, a
 * `plan.approved`/`plan.edited`/`plan.rejected` ends it with who and when; null when the event is
 * about something else.
 */
export function foldApproval(current: ApprovalSummary | null, event: TraceEvent): ApprovalSummary | null {
  const { data } = event;
  if (event.kind === 'plan.awaiting_approval') {
    return {
      state: 'awaiting',
      since: stringOr(data['since'], event.at),
      deadline: stringOr(data['deadline'], null),
      onTimeout: data['onTimeout'] === 'approve' ? 'approve' : 'cancel',
      decision: null,
      decidedBy: null,
      decidedAt: null,
      reason: null,
    };
  }
  const state = DECIDED[event.kind];
  if (state === undefined) return null;
  return {
    since: current?.since ?? event.at,
    deadline: current?.deadline ?? null,
    onTimeout: current?.onTimeout ?? 'cancel',
    state,
    decision: null,
    decidedBy: stringOr(data['by'], null),
    decidedAt: stringOr(data['at'], event.at),
    reason: stringOr(data['reason'], null),
  };
}

/** The approval with a decision taken: the task is queued to resume its graph with it. */
export function withDecision(approval: ApprovalSummary, verdict: PlanVerdict): ApprovalSummary {
  return { ...approval, decision: verdict };
}

/** The decision a task's graph still has to be resumed with, or undefined. */
export function pendingVerdict(approval: ApprovalSummary | null | undefined): PlanVerdict | undefined {
  return approval?.state === 'awaiting' && approval.decision !== null ? approval.decision : undefined;
}

/** The plan an edit event carries, if it is one. */
export function editedPlanOf(event: TraceEvent): Plan | null {
  const plan = event.kind === 'plan.edited' ? event.data['plan'] : undefined;
  return isRecord(plan) && Array.isArray(plan['subtasks']) ? (plan as unknown as Plan) : null;
}

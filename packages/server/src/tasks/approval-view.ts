import type { ApprovalView } from '../api/approval-schemas.ts';
import { approvalOf } from './approval.ts';

/** The approval of a task's summary as the API shows it; null for a task that asks for none. */
export function approvalViewOf(stored: unknown): ApprovalView | null {
  const approval = approvalOf(stored);
  if (approval === null) return null;
  const decided = approval.decision;
  return {
    state: approval.state,
    since: approval.since,
    deadline: approval.deadline,
    on_timeout: approval.onTimeout,
    decided_by: decided?.by ?? approval.decidedBy,
    decided_at: decided?.at ?? approval.decidedAt,
    reason: decided?.reason ?? approval.reason,
  };
}

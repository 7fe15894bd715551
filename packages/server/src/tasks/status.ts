import type { TaskStatus } from '@codecrew/orchestrator';
import type { ApiTaskStatus } from '@codecrew/store';

/** How each way a task can end shows in the API. */
const API_STATUS: Record<TaskStatus, ApiTaskStatus> = {
  running: 'running',
  approved: 'approved',
  answered: 'approved',
  changes_requested: 'not_approved',
  tests_failed: 'not_approved',
  failed: 'failed',
  cancelled: 'cancelled',
  budget_exhausted: 'budget_exhausted',
};

/** The API status of an orchestrator status: approved and answered are `approved`, a rejected or failing result `not_approved`. */
export function apiStatusOf(status: TaskStatus): ApiTaskStatus {
  return API_STATUS[status];
}

/** Statuses a task never leaves. */
export const ENDED_STATUSES: readonly ApiTaskStatus[] = [
  'approved',
  'not_approved',
  'failed',
  'cancelled',
  'budget_exhausted',
];

/** True when the task has ended (anything but queued and running). */
export function hasEnded(status: ApiTaskStatus): boolean {
  return ENDED_STATUSES.includes(status);
}

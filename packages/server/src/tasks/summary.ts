import type { TraceEvent } from '@codecrew/core';
import type { TaskReport } from '@codecrew/orchestrator';
import { editedPlanOf, foldApproval, type ApprovalSummary } from './approval.ts';

/** One subtask as the API shows it; `jobs` are the coder jobs it has had (their count is its attempts). */
export interface SubtaskSummary {
  id: string;
  title: string;
  status: string;
  jobs: string[];
}

/** What a task has done so far, kept in the store beside it and shown by `GET /v1/tasks/{id}`. */
export interface TaskSummary {
  plan: { summary: string; subtasks: unknown[] } | null;
  subtasks: SubtaskSummary[];
  usage: { tokens: number; costUsd: number; modelCalls: number };
  tests: { passed: number; failed: number } | null;
  review: { verdict: string } | null;
  result: {
    status: string;
    branch: string | null;
    commit: string | null;
    filesChanged: number;
    /** The repository the branch is in (for a repo.url task, the server's cached clone); absent in summaries stored before. */
    repository?: string | null;
  } | null;
  /** The plan's approval, for a task whose spec asks for one (absent in summaries stored before). */
  approval?: ApprovalSummary | null;
}

/** A task that has done nothing yet. */
export function emptySummary(): TaskSummary {
  return {
    plan: null,
    subtasks: [],
    usage: { tokens: 0, costUsd: 0, modelCalls: 0 },
    tests: null,
    review: null,
    result: null,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const numberOr = (value: unknown, fallback = 0): number => (typeof value === 'number' ? value : fallback);
const stringOr = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

/** The summary kept in a task record, or an empty one when it holds none (or something else). */
export function summaryOf(stored: unknown): TaskSummary {
  if (!isRecord(stored) || !Array.isArray(stored['subtasks']) || !isRecord(stored['usage'])) return emptySummary();
  return stored as unknown as TaskSummary;
}

function subtask(summary: TaskSummary, id: string): SubtaskSummary {
  let found = summary.subtasks.find((entry) => entry.id === id);
  if (!found) {
    found = { id, title: id, status: 'pending', jobs: [] };
    summary.subtasks.push(found);
  }
  return found;
}

const MERGE_STATUS: Record<string, string> = {
  clean: 'merged',
  empty: 'merged',
  conflict: 'conflict',
  failed: 'failed',
};

/**
 * Folds one trace event into the summary, in place; true when it changed. The live view of a
 * running task: the plan, each subtask's state and coder jobs, usage, the last tests and review.
 */
export function foldEvent(summary: TaskSummary, event: TraceEvent): boolean {
  const { data } = event;
  switch (event.kind) {
    case 'plan': {
      const plan = data['plan'];
      if (!isRecord(plan) || !Array.isArray(plan['subtasks'])) return false;
      summary.plan = { summary: stringOr(plan['summary'], ''), subtasks: plan['subtasks'] };
      for (const entry of plan['subtasks']) {
        if (!isRecord(entry) || typeof entry['id'] !== 'string') continue;
        subtask(summary, entry['id']).title = stringOr(entry['title'], entry['id']);
      }
      return true;
    }
    case 'job.started': {
      if (event.role !== 'coder' || event.subtaskId === undefined || event.jobId === undefined) return false;
      const entry = subtask(summary, event.subtaskId);
      if (!entry.jobs.includes(event.jobId)) entry.jobs.push(event.jobId);
      if (entry.status !== 'merged') entry.status = 'running';
      return true;
    }
    case 'job.finished': {
      const usage = data['usage'];
      let changed = false;
      if (isRecord(usage)) {
        summary.usage.tokens += numberOr(usage['promptTokens']) + numberOr(usage['completionTokens']);
        summary.usage.costUsd += numberOr(usage['costUsd']);
        summary.usage.modelCalls += numberOr(usage['calls']);
        changed = true;
      }
      if (event.role === 'coder' && event.subtaskId !== undefined && data['status'] === 'failed') {
        const entry = subtask(summary, event.subtaskId);
        if (entry.status !== 'merged') entry.status = 'failed';
        changed = true;
      }
      return changed;
    }
    case 'merge': {
      const status = MERGE_STATUS[stringOr(data['status'], '')];
      const id = data['subtaskId'];
      if (status === undefined || typeof id !== 'string') return false;
      subtask(summary, id).status = status;
      return true;
    }
    case 'tests': {
      if (typeof data['passed'] !== 'number' || typeof data['failed'] !== 'number') return false;
      summary.tests = { passed: data['passed'], failed: data['failed'] };
      return true;
    }
    case 'review': {
      const review = data['review'];
      if (!isRecord(review) || typeof review['verdict'] !== 'string') return false;
      summary.review = { verdict: review['verdict'] };
      return true;
    }
    default: {
      const approval = foldApproval(summary.approval ?? null, event);
      if (approval === null) return false;
      summary.approval = approval;
      // An edited plan's subtasks replace the old ones (the `plan` event that follows names them).
      if (editedPlanOf(event) !== null) summary.subtasks = [];
      return true;
    }
  }
}

/** The summary of a finished task, from its report. */
export function summaryFromReport(report: TaskReport): TaskSummary {
  const coderJobs = (id: string) =>
    report.jobs.filter((job) => job.role === 'coder' && job.subtaskId === id).map((job) => job.jobId);
  const tests = report.tests.at(-1);
  const review = report.reviews.at(-1);
  return {
    plan: report.plan === null ? null : { summary: report.plan.summary, subtasks: report.plan.subtasks },
    subtasks: report.subtasks.map((s) => ({ id: s.id, title: s.title, status: s.status, jobs: coderJobs(s.id) })),
    usage: {
      tokens: report.usage.promptTokens + report.usage.completionTokens,
      costUsd: report.usage.costUsd,
      modelCalls: report.usage.calls,
    },
    tests: tests === undefined ? null : { passed: tests.passed, failed: tests.failed },
    review: review === undefined ? null : { verdict: review.verdict },
    result: {
      status: report.status,
      branch: report.result?.branch ?? null,
      commit: report.result?.commit ?? null,
      filesChanged: report.result?.filesChanged ?? 0,
      repository: report.result?.branch ? report.repo.path : null,
    },
  };
}

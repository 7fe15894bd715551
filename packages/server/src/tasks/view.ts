import type { Plan, TaskSpec } from '@codecrew/core';
import type { TaskRecord } from '@codecrew/store';
import type { TaskListItem, TaskView } from '../api/schemas.ts';
import { summaryOf } from './summary.ts';
import { approvalViewOf } from './approval-view.ts';

/** The URLs of a task's resources. */
export function linksOf(id: string): TaskView['links'] {
  const self = `/v1/tasks/${id}`;
  return {
    self,
    events: `${self}/events`,
    diff: `${self}/diff`,
    report: `${self}/report`,
    report_md: `${self}/report.md`,
    cancel: `${self}/cancel`,
  };
}

/** A task in a list: everything but its spec and plan. */
export function listItemOf(record: TaskRecord): TaskListItem {
  const summary = summaryOf(record.summary);
  const result = summary.result;
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    created_at: record.createdAt,
    started_at: record.startedAt,
    ended_at: record.endedAt,
    repo: record.repo,
    cancel_requested: record.cancelRequested,
    parent: record.parent,
    subtasks: summary.subtasks.map((s) => ({ id: s.id, title: s.title, status: s.status, attempts: s.jobs.length })),
    usage: {
      tokens: summary.usage.tokens,
      cost_usd: Math.round(summary.usage.costUsd * 1e6) / 1e6,
      model_calls: summary.usage.modelCalls,
    },
    result:
      result === null
        ? null
        : {
            status: result.status,
            branch: result.branch,
            commit: result.commit,
            repository: result.repository ?? null,
            files_changed: result.filesChanged,
            tests: summary.tests,
            review: summary.review,
          },
    error:
      record.error === null
        ? null
        : {
            code: record.error.code,
            message: record.error.message,
            ...(record.error.details === undefined ? {} : { details: record.error.details }),
          },
    approval: approvalViewOf(summary.approval),
    links: linksOf(record.id),
  };
}

/** `GET /v1/tasks/{id}`: the task, its spec and plan, and what it has done so far. */
export function viewOf(record: TaskRecord): TaskView {
  const summary = summaryOf(record.summary);
  return {
    ...listItemOf(record),
    spec: record.spec as TaskSpec,
    plan: summary.plan as Plan | null,
  };
}

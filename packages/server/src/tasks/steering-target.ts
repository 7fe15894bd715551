import { isSteeringFor, type Role, type SteeringTarget, type TraceEvent } from '@codecrew/core';
import { apiError } from '../http/errors.ts';

/** One job of a task as its events show it. */
export interface KnownJob {
  id: string;
  role: Role;
  subtaskId?: string;
  running: boolean;
}

/** The subtasks and jobs a task's events name so far: what a steering message can be addressed to. */
export interface TaskCrew {
  subtasks: Set<string>;
  jobs: Map<string, KnownJob>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Folds a task's events into its subtasks (from the plan) and jobs (started, and whether still running). */
export function crewOf(events: Iterable<TraceEvent>): TaskCrew {
  const crew: TaskCrew = { subtasks: new Set(), jobs: new Map() };
  for (const event of events) {
    if (event.kind === 'plan') {
      const plan = event.data['plan'];
      const subtasks = isRecord(plan) ? plan['subtasks'] : undefined;
      for (const entry of Array.isArray(subtasks) ? subtasks : []) {
        if (isRecord(entry) && typeof entry['id'] === 'string') crew.subtasks.add(entry['id']);
      }
    } else if ((event.kind === 'job.started' || event.kind === 'job.finished') && event.jobId && event.role) {
      crew.jobs.set(event.jobId, {
        id: event.jobId,
        role: event.role,
        ...(event.subtaskId === undefined ? {} : { subtaskId: event.subtaskId }),
        running: event.kind === 'job.started',
      });
    }
  }
  return crew;
}

/**
 * The target `to` names: `task` (or nothing), else a subtask of the plan, else a job of the task.
 * REQUEST_INVALID at field `to` when the task has no such subtask or job yet.
 */
export function resolveTarget(to: string | undefined, crew: TaskCrew): SteeringTarget {
  if (to === undefined || to === 'task') return { kind: 'task' };
  if (crew.subtasks.has(to)) return { kind: 'subtask', subtaskId: to };
  if (crew.jobs.has(to)) return { kind: 'job', jobId: to };
  const known = [...crew.subtasks].join(', ');
  const message = `the task has no subtask or job "${to}"; send to task, ${known === '' ? 'a subtask id once the plan is there' : `a subtask (${known})`} or a job id`;
  throw apiError('REQUEST_INVALID', `the body is not valid: to: ${message}`, {
    issues: [{ path: 'to', message }],
  });
}

/** Ids of the jobs running now that a message to `target` is for. */
export function runningFor(taskId: string, target: SteeringTarget, crew: TaskCrew): string[] {
  const message = { id: '', taskId, text: '', at: '', to: target };
  return [...crew.jobs.values()]
    .filter((job) => job.running && isSteeringFor(message, { ...job, taskId }))
    .map((job) => job.id);
}

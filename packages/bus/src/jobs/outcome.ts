import { CodecrewError, emptyUsage, JobResult, toErrorData } from '@codecrew/core';
import type { ErrorData, Job, Role } from '@codecrew/core';

/** The ids a failed result needs; taken from a valid job or salvaged from an invalid one. */
export interface JobIds {
  id: string;
  taskId: string;
  role: Role;
  subtaskId?: string | undefined;
}

/** Builds the result recorded when a job could not produce one: its error, no usage, no commands. */
export function failedResult(ids: JobIds, error: unknown, startedAt: string, worker: string): JobResult {
  const data: ErrorData = toErrorData(error);
  const result: JobResult = {
    jobId: ids.id,
    taskId: ids.taskId,
    role: ids.role,
    status: data.code === 'CANCELLED' ? 'cancelled' : 'failed',
    error: data,
    usage: emptyUsage(),
    commands: [],
    steps: 0,
    startedAt,
    finishedAt: new Date().toISOString(),
    worker,
  };
  if (ids.subtaskId !== undefined) result.subtaskId = ids.subtaskId;
  return result;
}

/** Checks what a handler returned: a valid JobResult for this very job, else a JOB_FAILED error. */
export function checkHandlerResult(job: Job, value: unknown): JobResult {
  const parsed = JobResult.safeParse(value);
  if (!parsed.success) {
    throw new CodecrewError(
      'JOB_FAILED',
      `the ${job.role} handler returned an invalid JobResult: ${parsed.error.message}`,
      {
        details: { jobId: job.id },
      },
    );
  }
  if (parsed.data.jobId !== job.id || parsed.data.taskId !== job.taskId) {
    throw new CodecrewError(
      'JOB_FAILED',
      `the ${job.role} handler returned the result of job ${parsed.data.taskId}/${parsed.data.jobId} for job ${job.taskId}/${job.id}`,
    );
  }
  return parsed.data;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The ids of a message that failed validation, when it has usable ones, so the failure can be recorded. */
export function salvageIds(raw: unknown, role: Role): JobIds | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { id, taskId, subtaskId } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || typeof taskId !== 'string' || !TOKEN.test(id) || !TOKEN.test(taskId)) return null;
  return { id, taskId, role, subtaskId: typeof subtaskId === 'string' ? subtaskId : undefined };
}

import { z } from 'zod';
import { ERROR_CODES, Plan, TaskSpec } from '@codecrew/core';
import { API_TASK_STATUSES, MAX_PAGE_SIZE, type ApiTaskStatus } from '@codecrew/store';
import { ApprovalView } from './approval-schemas.ts';

/** A task's status in the API. */
export const ApiTaskStatusSchema = z.enum(API_TASK_STATUSES as [ApiTaskStatus, ...ApiTaskStatus[]]).meta({
  description:
    'queued: waits for a slot; running; awaiting_approval: its plan waits for a decision (POST /v1/tasks/{id}/plan), holding no slot; approved: tests pass and the reviewer approved (or an ask task answered); not_approved: changes requested or tests failing; failed; cancelled; budget_exhausted',
});

/** Task ids are made by the server: letters, digits, `_` and `-`. */
export const TaskId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a task id: letters, digits, _ and -, at most 64')
  .meta({ description: 'The task id the server gave at POST /v1/tasks' });

/** A job id: the task id, a dash, and the step it belongs to. */
export const JobId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,200}$/, 'a job id: letters, digits, _, . and -')
  .meta({ description: 'A job id as report.json and the events name it' });

/** The error body of every answer that is not a success. */
export const ErrorBody = z
  .object({
    error: z
      .object({
        code: z.enum(ERROR_CODES).meta({ description: 'A stable code; see docs/http-api.md' }),
        message: z.string(),
        details: z.record(z.string(), z.unknown()),
      })
      .strict(),
  })
  .strict();
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Where a task's resources are. */
export const TaskLinks = z
  .object({
    self: z.string(),
    events: z.string(),
    diff: z.string(),
    report: z.string(),
    report_md: z.string(),
    cancel: z.string(),
  })
  .strict();

/** The answer to POST /v1/tasks. */
export const TaskCreated = z
  .object({
    id: TaskId,
    status: ApiTaskStatusSchema,
    links: TaskLinks,
  })
  .strict();

const SubtaskView = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.string().meta({ description: 'pending, running, merged, conflict, failed or skipped' }),
    attempts: z.number().int().meta({ description: 'Coder jobs the subtask has had (fix rounds and best-of-N count)' }),
  })
  .strict();

const UsageView = z
  .object({
    tokens: z.number().int(),
    cost_usd: z.number(),
    model_calls: z.number().int(),
  })
  .strict();

const ResultView = z
  .object({
    status: z.string().meta({
      description:
        "The orchestrator's own status: approved, answered, changes_requested, tests_failed, failed, cancelled or budget_exhausted",
    }),
    branch: z.string().nullable(),
    commit: z.string().nullable(),
    repository: z.string().nullable().meta({
      description:
        "The repository the branch was created in, as a path on the server: the task's repo.path, or for a repo.url task the cached clone under the data directory; null when no branch was made",
    }),
    files_changed: z.number().int(),
    tests: z.object({ passed: z.number().int(), failed: z.number().int() }).strict().nullable(),
    review: z.object({ verdict: z.string() }).strict().nullable(),
  })
  .strict();

const ErrorView = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** GET /v1/tasks/{id}: a task with what it has done so far. */
export const TaskView = z
  .object({
    id: TaskId,
    name: z.string(),
    status: ApiTaskStatusSchema,
    created_at: z.string(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    repo: z
      .string()
      .meta({ description: 'The repository: an absolute path on the server, or a repo.url without its credentials' }),
    cancel_requested: z.boolean(),
    parent: TaskId.nullable().meta({
      description: 'The task this one follows up (a follow-up or a revision), or null',
    }),
    spec: TaskSpec,
    plan: Plan.nullable(),
    subtasks: z.array(SubtaskView),
    usage: UsageView,
    result: ResultView.nullable(),
    error: ErrorView.nullable(),
    approval: ApprovalView.nullable().meta({
      description: 'The plan approval, for a task whose spec.plan asks for one',
    }),
    links: TaskLinks,
  })
  .strict();
export type TaskView = z.infer<typeof TaskView>;

/** One task in a list: the view without its spec and plan. */
export const TaskListItem = TaskView.omit({ spec: true, plan: true });
export type TaskListItem = z.infer<typeof TaskListItem>;

/** GET /v1/tasks. */
export const TaskList = z
  .object({
    tasks: z.array(TaskListItem),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .strict();
export type TaskList = z.infer<typeof TaskList>;

const digits = (what: string, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, `${what}: a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(what === 'limit' ? 1 : 0)
        .max(max),
    );

/** Query of GET /v1/tasks. */
export const ListQuery = z
  .object({
    status: ApiTaskStatusSchema.optional(),
    name: z.string().min(1).max(200).optional(),
    repo: z.string().min(1).max(4096).optional(),
    parent: z.string().min(1).max(200).optional().meta({ description: 'Only the follow-ups of this task' }),
    limit: digits('limit', MAX_PAGE_SIZE)
      .optional()
      .meta({ description: `Page size, 1 to ${MAX_PAGE_SIZE}; default 50` }),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

/** Query of GET /v1/tasks/{id}/events. */
export const EventsQuery = z
  .object({
    format: z.enum(['sse', 'jsonl']).optional().meta({
      description:
        'jsonl: the events so far as JSON lines (as Accept: application/x-ndjson); default Server-Sent Events',
    }),
    after: digits('after', 1_000_000_000)
      .optional()
      .meta({ description: 'Start after this sequence number (as the Last-Event-ID header)' }),
  })
  .strict();

/** Query of routes that take none. */
export const NoQuery = z.object({}).strict();

/** Path of the routes of one task. */
export const TaskParams = z.object({ id: TaskId }).strict();

/** Path of a job's log. */
export const JobParams = z.object({ id: TaskId, jobId: JobId }).strict();

/** One stored event, as a JSON line and as the data of an SSE message. */
export const EventLine = z
  .object({
    seq: z.number().int().min(1).meta({ description: "The event's place in its task's stream (the SSE id)" }),
    taskId: z.string(),
    kind: z.string(),
    at: z.string(),
    jobId: z.string().optional(),
    role: z.string().optional(),
    subtaskId: z.string().optional(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();

/** One check of GET /healthz. */
const HealthCheck = z.object({ ok: z.boolean(), detail: z.string() }).strict();

/** GET /healthz. */
export const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({ nats: HealthCheck, docker: HealthCheck, database: HealthCheck, worker: HealthCheck }).strict(),
    tasks: z.object({ queued: z.number().int(), running: z.number().int(), max_tasks: z.number().int() }).strict(),
  })
  .strict();
export type Health = z.infer<typeof Health>;

/** A job's commands with their full output (`Accept: application/json`). */
export const JobLog = z
  .object({
    task_id: TaskId,
    job_id: JobId,
    commands: z.array(
      z
        .object({
          command: z.string(),
          exit_code: z.number().int().nullable(),
          timed_out: z.boolean(),
          truncated: z.boolean(),
          duration_ms: z.number(),
          stdout: z.string(),
          stderr: z.string(),
          at: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
export type JobLog = z.infer<typeof JobLog>;

import type { z } from 'zod';
import { TaskSpec } from '@codecrew/core';
import {
  ErrorBody,
  EventLine,
  EventsQuery,
  Health,
  JobLog,
  JobParams,
  ListQuery,
  NoQuery,
  TaskCreated,
  TaskList,
  TaskListItem,
  TaskParams,
  TaskView,
} from './schemas.ts';
import { DELIVERY_OPERATIONS } from './delivery-schemas.ts';
import { PLAN_OPERATIONS } from './plan-operations.ts';
import { MessageBody, MessageSent } from './message-schemas.ts';
import { CommentList, CommentsBody, FollowupBody, FollowupCreated } from './followup-schemas.ts';

/** One answer of an operation: its description and body (a schema, or text of a media type). */
export interface OperationResponse {
  description: string;
  schema?: z.ZodType;
  /** Media types of the body, default application/json. */
  contentTypes?: string[];
}

/** One operation of the API: what the routes validate with and what /openapi.json describes. */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** The path as OpenAPI writes it (`{id}`); the route's is the same with `:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query: z.ZodObject;
  headers?: Array<{ name: string; description: string; schema: Record<string, unknown> }>;
  body?: { schema: z.ZodType; contentTypes: string[]; description: string };
  responses: Record<number, OperationResponse>;
}

/** Media types a task file may be sent as. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
export const JSON_TYPES = ['application/json'];

const error = (description: string): OperationResponse => ({ description, schema: ErrorBody });
const TASK_ERRORS = { 404: error('No task with this id (TASK_NOT_FOUND)') };

/** Every operation of the API. */
export const OPERATIONS = {
  createTask: {
    method: 'post',
    path: '/v1/tasks',
    operationId: 'createTask',
    summary: 'Submit a task',
    description:
      'The body is a task file: YAML (application/yaml) or the same object as JSON. The task is checked as `codecrew run` checks it (schema, paths, models, repository, ref, branch name) and queued. Relative paths are resolved against the server’s working directory.',
    query: NoQuery,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Sending the same key again returns the task the first request made (200) instead of a new one',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      },
    ],
    body: { schema: TaskSpec, contentTypes: [...YAML_TYPES, ...JSON_TYPES], description: 'A task file' },
    responses: {
      201: { description: 'Queued', schema: TaskCreated },
      200: { description: 'The task an earlier request with the same Idempotency-Key made', schema: TaskCreated },
      400: error(
        "Not a valid task: SPEC_INVALID or YAML_INVALID with every problem (details.issues: path, message, and line and column for YAML), REQUEST_INVALID, REPO_INVALID, REPO_CLONE_FAILED or REPO_FETCH_FAILED (a repo.url git could not clone or fetch; git's message, without credentials), MODEL_PRICE_UNKNOWN",
      ),
      403: error(
        'A path of the task is outside server.allowedRepoRoots, or its repo.url is not one server.allowedRepoUrls allows (REPO_NOT_ALLOWED)',
      ),
      413: error('The body is larger than server.maxBodySize (BODY_TOO_LARGE)'),
      415: error('Neither YAML nor JSON (MEDIA_TYPE_UNSUPPORTED)'),
    },
  },
  listTasks: {
    method: 'get',
    path: '/v1/tasks',
    operationId: 'listTasks',
    summary: 'List tasks, newest first',
    query: ListQuery,
    responses: {
      200: { description: 'One page of tasks', schema: TaskList },
      400: error('A bad filter or cursor (REQUEST_INVALID, CURSOR_INVALID)'),
    },
  },
  getTask: {
    method: 'get',
    path: '/v1/tasks/{id}',
    operationId: 'getTask',
    summary: 'A task: status, spec, plan, subtasks, usage, result',
    params: TaskParams,
    query: NoQuery,
    responses: { 200: { description: 'The task', schema: TaskView }, ...TASK_ERRORS },
  },
  deleteTask: {
    method: 'delete',
    path: '/v1/tasks/{id}',
    operationId: 'deleteTask',
    summary: "Delete an ended task's record, events and outputs (its branch stays)",
    params: TaskParams,
    query: NoQuery,
    responses: {
      204: { description: 'Deleted' },
      ...TASK_ERRORS,
      409: error('The task is queued or running (TASK_NOT_ENDED); cancel it first'),
    },
  },
  cancelTask: {
    method: 'post',
    path: '/v1/tasks/{id}/cancel',
    operationId: 'cancelTask',
    summary: 'Cancel a task',
    description:
      'A queued task never starts. A running task’s jobs are stopped and their sandboxes removed; what was merged is kept in the report. Answers once the task has ended (200), or with 202 when it is still stopping after a while.',
    params: TaskParams,
    query: NoQuery,
    responses: {
      200: { description: 'Cancelled', schema: TaskView },
      202: { description: 'Cancelling: the task is still stopping', schema: TaskView },
      ...TASK_ERRORS,
      409: error('The task had already ended otherwise (TASK_ENDED)'),
    },
  },
  sendMessage: {
    method: 'post',
    path: '/v1/tasks/{id}/messages',
    operationId: 'sendMessage',
    summary: 'Steer a running task: a message from the user to its agents',
    description:
      'The message reaches each agent it is for before that agent’s next model call, as a user message marked as coming from the user; agents that start later in the task get it too. `to` is `task` (default: the planner while it plans, else every coder, running or started later), a subtask id (every coder job of that subtask) or a job id. The trace gets a `user.message` event now and a `user.message.delivered` event from each job it reaches.',
    params: TaskParams,
    query: NoQuery,
    body: { schema: MessageBody, contentTypes: JSON_TYPES, description: 'The text, and whom it is for' },
    responses: {
      202: { description: 'Sent: the agents it is for read it before their next model call', schema: MessageSent },
      400: error(
        'An empty or too long text, unknown fields, not JSON, or a `to` that names no subtask or job of the task (REQUEST_INVALID; details.issues gives each problem at its field)',
      ),
      ...TASK_ERRORS,
      409: error('The task has ended (TASK_ENDED)'),
      415: error('Not JSON (MEDIA_TYPE_UNSUPPORTED)'),
    },
  },
  createFollowup: {
    method: 'post',
    path: '/v1/tasks/{id}/followups',
    operationId: 'createFollowup',
    summary: 'Follow up an ended task: a new task on the same branch',
    description:
      "Queues a task linked to this one (`parent`): the same spec with the new prompt, starting from this task's result commit, its planner told this task's plan, subtasks, tests and review. Its result is a new commit on this task's branch, which is advanced only if it still points at this task's commit (BRANCH_MOVED otherwise, and nothing changes).",
    params: TaskParams,
    query: NoQuery,
    body: { schema: FollowupBody, contentTypes: JSON_TYPES, description: 'What the follow-up is to do' },
    responses: {
      201: { description: 'Queued', schema: FollowupCreated },
      400: error('No prompt, or unknown fields (REQUEST_INVALID)'),
      ...TASK_ERRORS,
      409: error(
        'The task is queued or running (TASK_NOT_ENDED), ended without a result branch (NO_RESULT_BRANCH), or its branch was moved (BRANCH_MOVED)',
      ),
      415: error('Not JSON (MEDIA_TYPE_UNSUPPORTED)'),
    },
  },
  listComments: {
    method: 'get',
    path: '/v1/tasks/{id}/comments',
    operationId: 'listComments',
    summary: "The user's comments on the task's diff, oldest first",
    params: TaskParams,
    query: NoQuery,
    responses: { 200: { description: 'The comments', schema: CommentList }, ...TASK_ERRORS },
  },
  addComments: {
    method: 'post',
    path: '/v1/tasks/{id}/comments',
    operationId: 'addComments',
    summary: "Comment on lines of an ended task's diff",
    description:
      "Each comment names a file of the diff and a line of the new file inside one of that file's hunks. They are kept until `POST /revise` sends them to the subtasks that wrote those lines.",
    params: TaskParams,
    query: NoQuery,
    body: { schema: CommentsBody, contentTypes: JSON_TYPES, description: 'The comments: path, line, body' },
    responses: {
      201: { description: 'Added', schema: CommentList },
      400: error(
        'A comment is malformed, names a file not in the diff, or a line in no hunk (REQUEST_INVALID; details.issues has each at its field, e.g. [0].line)',
      ),
      ...TASK_ERRORS,
      409: error('The task has no diff (RESULT_NOT_READY)'),
      415: error('Not JSON (MEDIA_TYPE_UNSUPPORTED)'),
    },
  },
  reviseTask: {
    method: 'post',
    path: '/v1/tasks/{id}/revise',
    operationId: 'reviseTask',
    summary: 'Send the comments to the subtasks that wrote those lines',
    description:
      "Queues a revision: a follow-up whose plan is the comments not yet revised, each given to the subtask whose hunk holds its line (the task's provenance) as a fix job; subtasks without comments do not run. The result is merged, tested, reviewed and committed on the same branch.",
    params: TaskParams,
    query: NoQuery,
    responses: {
      201: { description: 'Queued, with where each comment went', schema: FollowupCreated },
      ...TASK_ERRORS,
      409: error(
        'No comment waits (NOTHING_TO_REVISE), the task is not ended (TASK_NOT_ENDED), has no result branch (NO_RESULT_BRANCH), or its branch was moved (BRANCH_MOVED)',
      ),
    },
  },
  taskListEvents: {
    method: 'get',
    path: '/v1/tasks/events',
    operationId: 'taskListEvents',
    summary: 'Server-Sent Events of the task list: every task, then each one that is new or changed',
    description:
      "First an `event: task` message for each of the newest 200 tasks (oldest first), then one whenever a task is submitted or its listing changes (status, subtasks, usage, result); each message's `data` is the task as `GET /v1/tasks` lists it. `: heartbeat` comments keep the connection open. A client that reconnects gets the whole list again. A deleted task gets no message.",
    query: NoQuery,
    responses: {
      200: {
        description: 'The stream (text/event-stream) of TaskListItem messages',
        schema: TaskListItem,
        contentTypes: ['text/event-stream'],
      },
    },
  },
  taskEvents: {
    method: 'get',
    path: '/v1/tasks/{id}/events',
    operationId: 'taskEvents',
    summary: "A task's events: live Server-Sent Events, or the events so far as JSON lines",
    description:
      'Server-Sent Events from the first event (or after Last-Event-ID / `after`), then live until the task ends; each message has the event’s sequence number as `id` and the event as JSON `data`; `: heartbeat` comments keep the connection open; a last `event: end` message carries the task’s status. With `Accept: application/x-ndjson` or `format=jsonl`: the events so far as JSON lines.',
    params: TaskParams,
    query: EventsQuery,
    headers: [
      {
        name: 'Last-Event-ID',
        description: 'Continue after this sequence number, with no gap and no repeat',
        schema: { type: 'string', pattern: '^[0-9]{1,10}$' },
      },
    ],
    responses: {
      200: {
        description: 'The stream (text/event-stream), or JSON lines of EventLine (application/x-ndjson)',
        schema: EventLine,
        contentTypes: ['text/event-stream', 'application/x-ndjson'],
      },
      400: error('A bad Last-Event-ID or query (REQUEST_INVALID)'),
      ...TASK_ERRORS,
    },
  },
  taskDiff: {
    method: 'get',
    path: '/v1/tasks/{id}/diff',
    operationId: 'taskDiff',
    summary: 'The unified diff of the result',
    params: TaskParams,
    query: NoQuery,
    responses: {
      200: { description: 'The diff against the base commit', contentTypes: ['text/x-diff'] },
      ...TASK_ERRORS,
      409: error('No diff yet: the task has not ended, or ended without one (RESULT_NOT_READY)'),
    },
  },
  taskReport: {
    method: 'get',
    path: '/v1/tasks/{id}/report',
    operationId: 'taskReport',
    summary: 'report.json of an ended task',
    params: TaskParams,
    query: NoQuery,
    responses: {
      200: { description: 'report.json (see docs/cli.md, outputs of a task)' },
      ...TASK_ERRORS,
      409: error('The task has no report yet (RESULT_NOT_READY)'),
    },
  },
  taskReportMarkdown: {
    method: 'get',
    path: '/v1/tasks/{id}/report.md',
    operationId: 'taskReportMarkdown',
    summary: 'report.md of an ended task',
    params: TaskParams,
    query: NoQuery,
    responses: {
      200: { description: 'The report for people', contentTypes: ['text/markdown'] },
      ...TASK_ERRORS,
      409: error('The task has no report yet (RESULT_NOT_READY)'),
    },
  },
  jobLog: {
    method: 'get',
    path: '/v1/tasks/{id}/jobs/{jobId}/log',
    operationId: 'jobLog',
    summary: "One job's commands with their full output",
    description: 'Plain text by default; `Accept: application/json` gives JobLog.',
    params: JobParams,
    query: NoQuery,
    responses: {
      200: { description: 'The commands', schema: JobLog, contentTypes: ['text/plain', 'application/json'] },
      404: error('No such task (TASK_NOT_FOUND), or no finished job with this id in it (JOB_NOT_FOUND)'),
    },
  },
  ...PLAN_OPERATIONS,
  openapi: {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This description (OpenAPI 3.1)',
    query: NoQuery,
    responses: { 200: { description: 'The OpenAPI document' } },
  },
  health: {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'NATS, Docker, the database and the workers',
    query: NoQuery,
    responses: {
      200: { description: 'Every check passes', schema: Health },
      503: { description: 'A check fails', schema: Health },
    },
  },
  ...DELIVERY_OPERATIONS,
} satisfies Record<string, Operation>;

/** The fastify route of an operation's path: `{id}` becomes `:id`. */
export function routePath(operation: Operation): string {
  return operation.path.replace(/\{(\w+)\}/g, ':$1');
}

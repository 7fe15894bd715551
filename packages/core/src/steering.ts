import { z } from 'zod';
import { newId } from './ids.ts';
import type { Role } from './job.ts';
import type { TraceEvent } from './trace.ts';

/** The longest steering message, in characters. */
export const STEERING_TEXT_MAX = 8_000;

/**
 * Who a steering message is for: the whole task (the planner while it plans, every coder running
 * then or started later), every coder job of one subtask, or one job.
 */
export const SteeringTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('task') }).strict(),
  z.object({ kind: z.literal('subtask'), subtaskId: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('job'), jobId: z.string().min(1) }).strict(),
]);
export type SteeringTarget = z.infer<typeof SteeringTarget>;

/** A message a user sends to a running task's agents; kept on the bus until the task's jobs have read it. */
export const SteeringMessage = z
  .object({
    id: z.string().min(1),
    taskId: z.string().min(1),
    text: z.string().min(1).max(STEERING_TEXT_MAX),
    to: SteeringTarget,
    at: z.string(),
  })
  .strict();
export type SteeringMessage = z.infer<typeof SteeringMessage>;

/** The roles a task-wide message reaches: the planner while it plans, then the coders; in ask mode, the asker. */
export const TASK_WIDE_ROLES: readonly Role[] = ['planner', 'coder', 'asker'];

/** The part of a job that decides which steering messages it receives. */
export interface SteeringAddressee {
  id: string;
  taskId: string;
  role: Role;
  subtaskId?: string | undefined;
}

/**
 * True when `message` is for `job`: a task-wide message reaches the task's planner and coder jobs (the
 * asker of an ask task), a subtask's message every coder job of that subtask (fix rounds and best-of-N
 * attempts too), a job's message that job only.
 *
 * @example
 * isSteeringFor({ ...message, to: { kind: 'subtask', subtaskId: 's1' } }, job) // job.subtaskId === 's1'
 */
export function isSteeringFor(message: SteeringMessage, job: SteeringAddressee): boolean {
  if (message.taskId !== job.taskId) return false;
  switch (message.to.kind) {
    case 'task':
      return TASK_WIDE_ROLES.includes(job.role);
    case 'subtask':
      return job.role === 'coder' && job.subtaskId === message.to.subtaskId;
    case 'job':
      return job.id === message.to.jobId;
  }
}

/** The first line of a steering message as the model reads it. */
export const STEERING_HEADER = 'Message from the user, sent while you work:';

/**
 * The text of the user message a steering message becomes in an agent's conversation: marked as
 * coming from the user, so the model tells it apart from the task and from tool results.
 */
export function steeringPrompt(text: string): string {
  return `${STEERING_HEADER}\n${text}\n\nTake it into account from now on; where it differs from the task, it wins.`;
}

/** How a target is written in the API and on the command line: `task`, a subtask id or a job id. */
export function steeringTargetLabel(to: SteeringTarget): string {
  if (to.kind === 'task') return 'task';
  return to.kind === 'subtask' ? to.subtaskId : to.jobId;
}

/**
 * The `user.message` trace event of a steering message: what was said, to whom, and (when the sender
 * knows) the ids of the running jobs it is for. Each job it reaches adds a `user.message.delivered` event.
 */
export function steeringEvent(message: SteeringMessage, running?: string[]): TraceEvent {
  const to = steeringTargetLabel(message.to);
  return {
    taskId: message.taskId,
    kind: 'user.message',
    at: message.at,
    message: `message from the user to ${to === 'task' ? 'the task' : to}`,
    data: {
      messageId: message.id,
      text: message.text,
      to,
      target: message.to.kind,
      ...(running === undefined ? {} : { running }),
    },
  };
}

/** A new steering message to a task, sent now. */
export function newSteeringMessage(
  taskId: string,
  text: string,
  to: SteeringTarget = { kind: 'task' },
): SteeringMessage {
  return { id: newId('msg_'), taskId, text, to, at: new Date().toISOString() };
}

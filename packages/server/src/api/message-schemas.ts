import { z } from 'zod';
import { STEERING_TEXT_MAX } from '@codecrew/core';

/** The body of POST /v1/tasks/{id}/messages. */
export const MessageBody = z
  .object({
    text: z
      .string()
      .trim()
      .min(1, 'say something: the text is empty')
      .max(STEERING_TEXT_MAX, `at most ${STEERING_TEXT_MAX} characters`)
      .meta({ description: 'What the agents are told, as a message from the user' }),
    to: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,200}$/, '`task`, a subtask id or a job id')
      .optional()
      .meta({
        description:
          '`task` (the default): the planner while it plans, every coder running now or started later; a subtask id: every coder job of that subtask; a job id: that job',
      }),
  })
  .strict();
export type MessageBody = z.infer<typeof MessageBody>;

/** The answer to POST /v1/tasks/{id}/messages. */
export const MessageSent = z
  .object({
    id: z
      .string()
      .meta({ description: 'The message id, as the trace events user.message and user.message.delivered give it' }),
    task_id: z.string(),
    to: z.string().meta({ description: '`task`, the subtask id or the job id the message is for' }),
    target: z.enum(['task', 'subtask', 'job']),
    text: z.string(),
    at: z.string(),
    running: z.array(z.string()).meta({
      description:
        'Ids of the jobs running now that the message is for: each reads it before its next model call. Jobs that start later get it too.',
    }),
  })
  .strict();
export type MessageSent = z.infer<typeof MessageSent>;

import { z } from 'zod';
import { TaskId, TaskLinks } from './schemas.ts';

/** POST /v1/tasks/{id}/followups: what the follow-up is to do. */
export const FollowupBody = z
  .object({
    prompt: z.string().min(1, 'a non-empty prompt').max(100_000),
  })
  .strict();
export type FollowupBody = z.infer<typeof FollowupBody>;

/** One comment as a user sends it: a line of the new file the task's diff shows. */
export const NewCommentBody = z
  .object({
    path: z.string().min(1).max(4096),
    line: z.number().int().positive(),
    body: z.string().min(1, 'a non-empty comment').max(20_000),
  })
  .strict();

/** POST /v1/tasks/{id}/comments. */
export const CommentsBody = z.array(NewCommentBody).min(1, 'at least one comment').max(200);

/** A comment kept with a task. */
export const CommentView = z
  .object({
    id: z.number().int().positive(),
    path: z.string(),
    line: z.number().int().positive(),
    body: z.string(),
    created_at: z.string(),
    revision: TaskId.nullable().meta({ description: 'The revision task the comment was sent to; null until Revise' }),
  })
  .strict();
export type CommentView = z.infer<typeof CommentView>;

/** GET and POST /v1/tasks/{id}/comments. */
export const CommentList = z.object({ comments: z.array(CommentView) }).strict();
export type CommentList = z.infer<typeof CommentList>;

/** Where a revision sent one comment. */
export const CommentRouteView = z
  .object({
    comment: z.number().int().positive(),
    subtask: z.string(),
    by: z.enum(['provenance', 'files', 'first']).meta({
      description:
        'provenance: the subtask that wrote the hunk holding the line; files: the subtask whose file globs match; first: neither named one',
    }),
  })
  .strict();

/** 201 of POST /followups and /revise: the new task, linked to its parent. */
export const FollowupCreated = z
  .object({
    id: TaskId,
    status: z.literal('queued'),
    parent: TaskId,
    branch: z.string(),
    base_commit: z.string(),
    routes: z.array(CommentRouteView).optional(),
    links: TaskLinks,
  })
  .strict();
export type FollowupCreated = z.infer<typeof FollowupCreated>;

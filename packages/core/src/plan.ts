import { z } from 'zod';

/** One unit of work a coder can do alone. `files` are globs it may touch. */
export const Subtask = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or -, at most 40 characters'),
    title: z.string().min(1),
    description: z.string().default(''),
    files: z.array(z.string().min(1)).default([]),
    depends_on: z.array(z.string()).default([]),
    /** Coders to run on this subtask at once (best-of-N); the task's `attempts` otherwise. */
    attempts: z.number().int().min(1).max(8).optional(),
  })
  .strict();
export type Subtask = z.infer<typeof Subtask>;

/** The planner's output: a DAG of subtasks. */
export const Plan = z
  .object({
    summary: z.string().min(1),
    subtasks: z.array(Subtask),
  })
  .strict();
export type Plan = z.infer<typeof Plan>;

export const REVIEW_SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;

/** One reviewer comment, attached to a file and optionally a line. */
export const ReviewComment = z
  .object({
    path: z.string().min(1),
    line: z.number().int().positive().optional(),
    severity: z.enum(REVIEW_SEVERITIES).default('minor'),
    body: z.string().min(1),
  })
  .strict();
export type ReviewComment = z.infer<typeof ReviewComment>;

/** The reviewer's structured verdict. */
export const Review = z
  .object({
    verdict: z.enum(['approve', 'request_changes']),
    summary: z.string().min(1),
    comments: z.array(ReviewComment).default([]),
  })
  .strict();
export type Review = z.infer<typeof Review>;

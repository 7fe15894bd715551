import { z } from 'zod';
import { Role } from './job.ts';

export const TRACE_KINDS = [
  'task.started',
  'task.finished',
  'node.started',
  'node.finished',
  'job.dispatched',
  'job.started',
  'job.finished',
  'model.call',
  'model.retry',
  'context.elided',
  'context.compacted',
  'tool.call',
  'tool.result',
  'command.started',
  'command.finished',
  'plan',
  'plan.awaiting_approval',
  'plan.approved',
  'plan.rejected',
  'plan.edited',
  'merge',
  'tests',
  'review',
  'log',
  'user.message',
  'user.message.delivered',
] as const;
/** What a trace event is about. */
export const TraceKind = z.enum(TRACE_KINDS);
export type TraceKind = z.infer<typeof TraceKind>;

/** One step of a task, published on `crew.events.<taskId>.<kind>` and kept as JSONL. */
export const TraceEvent = z
  .object({
    taskId: z.string(),
    kind: TraceKind,
    at: z.string(),
    jobId: z.string().optional(),
    role: Role.optional(),
    subtaskId: z.string().optional(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type TraceEvent = z.infer<typeof TraceEvent>;

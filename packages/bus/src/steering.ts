import type { KV } from '@nats-io/kv';
import { SteeringMessage } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson, encodeJson } from './codec.ts';
import { assertToken } from './names.ts';

/** A steering message as stored, with its place in the steering stream. */
export interface StoredSteering {
  /** The stream sequence: read on after it with `readSteering`. */
  seq: number;
  message: SteeringMessage;
}

/**
 * Stores a steering message on `<prefix>.steering.<taskId>` (JetStream, deduplicated by the message id),
 * where every job of the task finds it, also one that starts later or is delivered again.
 */
export async function publishSteering(ctx: BusContext, message: SteeringMessage): Promise<void> {
  const valid = SteeringMessage.parse(message);
  assertToken('task id', valid.taskId);
  await ctx.js.publish(ctx.names.steering(valid.taskId), encodeJson(valid), { msgID: valid.id });
}

/** The task's steering messages stored after stream sequence `afterSeq` (0: all), oldest first. */
export async function readSteering(ctx: BusContext, taskId: string, afterSeq: number): Promise<StoredSteering[]> {
  assertToken('task id', taskId);
  const subject = ctx.names.steering(taskId);
  const found: StoredSteering[] = [];
  for (let next = afterSeq + 1; ;) {
    const stored = await ctx.jsm.direct.getMessage(ctx.names.steeringStream, { seq: next, next_by_subj: subject });
    if (stored === null) return found;
    const parsed = SteeringMessage.safeParse(decodeJson(stored.data));
    if (parsed.success) found.push({ seq: stored.seq, message: parsed.data });
    else ctx.report(`skipping an invalid steering message on ${subject}`, parsed.error);
    next = stored.seq + 1;
  }
}

/** The KV key of the steering messages one job has applied. */
function appliedKey(taskId: string, jobId: string): string {
  return `${taskId}.${jobId.replace(/[^-/_=a-zA-Z0-9]/g, '_')}`;
}

/** Ids of the steering messages an earlier delivery of the job has applied (none: empty). */
export async function appliedSteering(kv: KV, taskId: string, jobId: string): Promise<string[]> {
  assertToken('task id', taskId);
  const entry = await kv.get(appliedKey(taskId, jobId));
  if (entry === null || entry.operation !== 'PUT') return [];
  const ids = decodeJson(entry.value);
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** Records the steering messages the job has applied so far (the whole list, replacing the last one). */
export async function recordAppliedSteering(kv: KV, taskId: string, jobId: string, ids: string[]): Promise<void> {
  assertToken('task id', taskId);
  await kv.put(appliedKey(taskId, jobId), encodeJson(ids));
}

import { CodecrewError } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson, encodeJson } from './codec.ts';
import { assertToken } from './names.ts';
import type { ControlMessage, Stoppable } from './types.ts';

/** Returns the control message `value` holds, or null when it is not one. */
export function parseControlMessage(value: unknown): ControlMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record['type'] === 'cancel' && typeof record['reason'] === 'string')
    return { type: 'cancel', reason: record['reason'] };
  if (record['type'] === 'steer' && typeof record['text'] === 'string') return { type: 'steer', text: record['text'] };
  return null;
}

/** Sends a control message on core NATS `<prefix>.control.<taskId>` and flushes it to the server. */
export async function publishControl(ctx: BusContext, taskId: string, message: ControlMessage): Promise<void> {
  assertToken('task id', taskId);
  const valid = parseControlMessage(message);
  if (valid === null) {
    throw new CodecrewError(
      'INTERNAL',
      `not a control message: ${JSON.stringify(message)}; use {type:'cancel',reason} or {type:'steer',text}`,
    );
  }
  ctx.nc.publish(ctx.names.control(taskId), encodeJson(valid));
  await ctx.nc.flush();
}

/** Calls `handler` for every control message of one task, or of all tasks with `'*'`. */
export async function subscribeControl(
  ctx: BusContext,
  taskId: string | '*',
  handler: (message: ControlMessage & { taskId: string }) => void,
): Promise<Stoppable> {
  if (taskId !== '*') assertToken('task id', taskId);
  const sub = ctx.nc.subscribe(ctx.names.control(taskId), {
    callback: (error, msg) => {
      if (error !== null) {
        ctx.report('the control subscription ended', error);
        return;
      }
      const message = parseControlMessage(decodeJson(msg.data));
      const subjectTaskId = msg.subject.split('.').at(-1) ?? '';
      if (message === null) {
        ctx.report(`ignoring an invalid control message on ${msg.subject}`);
        return;
      }
      try {
        handler({ ...message, taskId: subjectTaskId });
      } catch (handlerError) {
        ctx.report(`a control handler threw on ${msg.subject}`, handlerError);
      }
    },
  });
  await ctx.nc.flush();
  return {
    async stop() {
      if (!sub.isClosed()) await sub.drain();
    },
  };
}

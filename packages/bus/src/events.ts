import { DeliverPolicy } from '@nats-io/jetstream';
import { TraceEvent } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson, encodeJson } from './codec.ts';
import { assertToken } from './names.ts';
import type { Stoppable } from './types.ts';

/** Validates and stores a trace event on `<prefix>.events.<taskId>.<kind>`. */
export async function publishEvent(ctx: BusContext, event: TraceEvent): Promise<void> {
  const valid = TraceEvent.parse(event);
  assertToken('task id', valid.taskId);
  await ctx.js.publish(ctx.names.event(valid.taskId, valid.kind), encodeJson(valid));
}

/** Delivers events published from now on (a core subscription; stored events are read with `readEvents`). */
export async function subscribeEvents(
  ctx: BusContext,
  taskId: string | '*',
  handler: (event: TraceEvent) => void,
): Promise<Stoppable> {
  if (taskId !== '*') assertToken('task id', taskId);
  const sub = ctx.nc.subscribe(ctx.names.events(taskId), {
    callback: (error, msg) => {
      if (error !== null) {
        ctx.report('the event subscription ended', error);
        return;
      }
      const parsed = TraceEvent.safeParse(decodeJson(msg.data));
      if (!parsed.success) {
        ctx.report(`ignoring an invalid event on ${msg.subject}`, parsed.error);
        return;
      }
      try {
        handler(parsed.data);
      } catch (handlerError) {
        ctx.report(`an event handler threw on ${msg.subject}`, handlerError);
      }
    },
  });
  // The subscription is live on the server once the flush returns, so no later event is missed.
  await ctx.nc.flush();
  return {
    async stop() {
      if (!sub.isClosed()) await sub.drain();
    },
  };
}

/** Reads every stored event of a task in stream order, through an ordered consumer. */
export async function readEvents(ctx: BusContext, taskId: string): Promise<TraceEvent[]> {
  assertToken('task id', taskId);
  const filter = ctx.names.events(taskId);
  const info = await ctx.jsm.streams.info(ctx.names.eventsStream, { subjects_filter: filter });
  const stored = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  if (stored === 0) return [];

  const consumer = await ctx.js.consumers.get(ctx.names.eventsStream, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.All,
  });
  const events: TraceEvent[] = [];
  let pending = stored;
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(pending, 500), expires: 5_000 });
    let received = 0;
    for await (const msg of batch) {
      received++;
      const parsed = TraceEvent.safeParse(decodeJson(msg.data));
      if (parsed.success) events.push(parsed.data);
      else ctx.report(`skipping an invalid stored event on ${msg.subject}`, parsed.error);
      pending = msg.info.pending;
      if (pending === 0) break;
    }
    // Events may have been removed by the stream's age limit after the count was taken.
    if (received === 0) break;
  }
  await consumer.delete().catch(() => undefined);
  return events;
}

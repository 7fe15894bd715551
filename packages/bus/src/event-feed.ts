import { DeliverPolicy } from '@nats-io/jetstream';
import { TraceEvent } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson } from './codec.ts';
import type { Stoppable } from './types.ts';

/**
 * Delivers every stored event of every task from stream sequence `fromSeq` on, in stream order,
 * through an ordered consumer: the next event waits until the handler of the one before has
 * settled. A handler that throws is reported and the feed goes on. A `fromSeq` past the end of the
 * stream (a stream made anew since it was taken) starts from the first event.
 */
export async function followEvents(
  ctx: BusContext,
  fromSeq: number,
  handler: (event: TraceEvent, seq: number) => Promise<void>,
): Promise<Stoppable> {
  // A sequence past the end belongs to an earlier stream of the same name (its store was removed): start over.
  const { state } = await ctx.jsm.streams.info(ctx.names.eventsStream);
  const start = fromSeq > state.last_seq + 1 ? 1 : fromSeq;
  const consumer = await ctx.js.consumers.get(ctx.names.eventsStream, {
    filter_subjects: ctx.names.events('*'),
    ...(start > 1
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }
      : { deliver_policy: DeliverPolicy.All }),
  });
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const msg of messages) {
      const parsed = TraceEvent.safeParse(decodeJson(msg.data));
      if (!parsed.success) {
        ctx.report(`skipping an invalid stored event on ${msg.subject}`, parsed.error);
        continue;
      }
      try {
        await handler(parsed.data, msg.seq);
      } catch (error) {
        ctx.report(`an event follower failed on ${msg.subject}`, error);
      }
    }
  })();
  return {
    async stop() {
      await messages.close().catch(() => undefined);
      await done.catch(() => undefined);
    },
  };
}

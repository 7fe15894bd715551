import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type TraceEvent } from '@codecrew/core';
import { connectBus, type EmbeddedNats } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import { eventually } from './fixtures.ts';

let nats: EmbeddedNats;
beforeAll(async () => {
  nats = await startNats('bus event feed');
});
afterAll(async () => {
  await nats?.stop();
});

function event(taskId: string, message: string): TraceEvent {
  return { taskId, kind: 'log', at: new Date().toISOString(), message, data: {} };
}

describe('followEvents', () => {
  it('delivers the stored events of every task in stream order, one handler at a time, from a sequence on', async () => {
    const prefix = testPrefix('event feed');
    const bus = await connectBus({ servers: nats.url, name: 'feed', prefix, onError: () => undefined });
    try {
      const [a, b] = [newId('t'), newId('t')];
      for (let i = 1; i <= 3; i++) {
        await bus.publishEvent(event(a, `a${i}`));
        await bus.publishEvent(event(b, `b${i}`));
      }
      const seen: Array<[string, number]> = [];
      let inHandler = 0;
      let overlapped = false;
      const feed = await bus.followEvents(1, async (e, seq) => {
        inHandler++;
        if (inHandler > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push([e.message, seq]);
        inHandler--;
      });
      await bus.publishEvent(event(a, 'a4'));
      expect(await eventually(() => seen.length === 7, 10_000)).toBe(true);
      await feed.stop();
      expect(seen.map(([message]) => message)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4']);
      expect(seen.map(([, seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(overlapped).toBe(false);

      // A follower started later at a sequence gets that event and the ones after it.
      const later: string[] = [];
      const again = await bus.followEvents(5, async (e) => void later.push(e.message));
      expect(await eventually(() => later.length === 3, 10_000)).toBe(true);
      expect(later).toEqual(['a3', 'b3', 'a4']);
      await again.stop();

      // A sequence past the end of the stream (taken from a stream since made anew) reads from the start.
      const fresh: string[] = [];
      const anew = await bus.followEvents(1000, async (e) => void fresh.push(e.message));
      expect(await eventually(() => fresh.length === 7, 10_000)).toBe(true);
      await anew.stop();
    } finally {
      await bus.close();
    }
  });
});

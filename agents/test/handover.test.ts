import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AheadHandover, defineTool, type ToolContext } from '../src/index.ts';

/** A hand-over whose computations are counted, each resolved by hand, and checked never to overlap. */
function counted() {
  const runs: Array<{ resolve(value: number): void; reject(error: Error): void }> = [];
  let running = 0;
  let overlapped = false;
  const handover = new AheadHandover<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        running += 1;
        if (running > 1) overlapped = true;
        const done = () => (running -= 1);
        runs.push({ resolve: (v) => (done(), resolve(v)), reject: (e) => (done(), reject(e)) });
      }),
  );
  return { handover, runs, overlapped: () => overlapped };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AheadHandover', () => {
  it('does nothing ahead before anything was written, and computes when asked', async () => {
    const { handover, runs } = counted();
    handover.prefetch();
    await tick();
    expect(runs).toHaveLength(0);
    const result = handover.current();
    await tick();
    runs[0]?.resolve(7);
    expect(await result).toEqual(7);
  });

  it('hands over what was worked out ahead when nothing ran since', async () => {
    const { handover, runs } = counted();
    handover.touched();
    handover.prefetch();
    handover.prefetch();
    await tick();
    expect(runs).toHaveLength(1);
    runs[0]?.resolve(1);
    expect(await handover.current()).toEqual(1);
    expect(runs).toHaveLength(1);
  });

  it('works it out again when a tool started after the ahead one began, one computation at a time', async () => {
    const { handover, runs, overlapped } = counted();
    handover.touched();
    handover.prefetch();
    await tick();
    handover.touched();
    const result = handover.current();
    await tick();
    expect(runs).toHaveLength(1);
    runs[0]?.resolve(1);
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]?.resolve(2);
    expect(await result).toEqual(2);
    expect(overlapped()).toEqual(false);
  });

  it('works it out again when the ahead one failed, and reports the final failure', async () => {
    const { handover, runs } = counted();
    handover.touched();
    handover.prefetch();
    await tick();
    runs[0]?.reject(new Error('git busy'));
    const result = handover.current();
    await tick();
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]?.reject(new Error('still broken'));
    await expect(result).rejects.toThrow('still broken');
    await handover.settled();
  });

  it('tracked tools mark the workspace changed when they start', async () => {
    const { handover, runs } = counted();
    const tool = handover.track(defineTool({ name: 'write', description: 'w', schema: z.object({}), run: async () => ({ kind: 'text', text: 'ok' }) }));
    await tool.run({}, {} as ToolContext);
    handover.prefetch();
    await tick();
    expect(runs).toHaveLength(1);
  });

  it('work ahead scheduled for later is dropped when a tool ran or the hand-over was asked for meanwhile', async () => {
    const scheduled: Array<() => void> = [];
    let computed = 0;
    const handover = new AheadHandover(async () => (computed += 1), (start) => scheduled.push(start));
    handover.touched();
    handover.prefetch();
    handover.touched();
    scheduled.shift()?.();
    expect(computed).toEqual(0);
    handover.prefetch();
    const result = handover.current();
    scheduled.shift()?.();
    expect(await result).toEqual(1);
    expect(computed).toEqual(1);
  });
});

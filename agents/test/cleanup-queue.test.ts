import { describe, expect, it } from 'vitest';
import { CleanupQueue } from '../src/worker/cleanup-queue.ts';

/** A cleanup that runs until `finish` is called, logging when it starts and ends. */
function held(log: string[], name: string): { run: () => Promise<void>; started: Promise<void>; finish: () => void } {
  let finish: () => void = () => undefined;
  let start: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const started = new Promise<void>((resolve) => (start = resolve));
  return {
    run: async () => {
      log.push(`${name} started`);
      start();
      await ended;
      log.push(`${name} ended`);
    },
    started,
    finish: () => finish(),
  };
}

describe('CleanupQueue', () => {
  it('runs cleanups one at a time, in the order they were queued', async () => {
    const queue = new CleanupQueue();
    const log: string[] = [];
    const first = held(log, 'first');
    const second = held(log, 'second');
    const firstDone = queue.add(first.run);
    const secondDone = queue.add(second.run);
    await first.started;
    expect(log).toEqual(['first started']);
    expect(queue.size).toBe(2);
    second.finish(); // finishing early changes nothing: it has not started
    first.finish();
    await firstDone;
    await secondDone;
    expect(log).toEqual(['first started', 'first ended', 'second started', 'second ended']);
    expect(queue.size).toBe(0);
  });

  it('passes over a failing cleanup and runs the next', async () => {
    const queue = new CleanupQueue();
    const log: string[] = [];
    const failed = queue.add(async () => {
      throw new Error('the container is gone already');
    });
    const thrown = queue.add(() => {
      throw new Error('threw before it returned a promise');
    });
    void queue.add(async () => void log.push('after the failures'));
    await expect(failed).resolves.toBeUndefined();
    await expect(thrown).resolves.toBeUndefined();
    await queue.drain();
    expect(log).toEqual(['after the failures']);
  });

  it('drain waits for every cleanup, including ones queued while it waits', async () => {
    const queue = new CleanupQueue();
    const log: string[] = [];
    const first = held(log, 'first');
    void queue.add(first.run);
    let drained = false;
    const draining = queue.drain().then(() => (drained = true));
    void queue.add(async () => void log.push('queued during drain'));
    first.finish();
    await draining;
    expect(drained).toBe(true);
    expect(log).toEqual(['first started', 'first ended', 'queued during drain']);
    await queue.drain(); // nothing left: resolves at once
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StartedJobs } from '../src/worker/started-jobs.ts';

describe('StartedJobs', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls back once every job has started, with the time left', async () => {
    const started = new StartedJobs();
    const calls: number[] = [];
    started.whenStarted(['a', 'b'], (left) => calls.push(left), 100);
    started.add('a');
    await vi.advanceTimersByTimeAsync(30);
    expect(calls).toEqual([]);
    started.add('b');
    expect(calls).toEqual([70]);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual([70]); // once
    // Jobs that started already: at once.
    started.whenStarted(['a'], (left) => calls.push(left), 100);
    expect(calls).toEqual([70, 100]);
  });

  it('gives up after its longest wait, and keeps only the last ids', async () => {
    const started = new StartedJobs(2);
    const calls: number[] = [];
    started.whenStarted(['elsewhere'], (left) => calls.push(left), 100);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([0]);
    started.add('elsewhere'); // too late: no second call
    expect(calls).toEqual([0]);
    started.add('x');
    started.add('y');
    // 'elsewhere' was pushed out by 'x' and 'y': a wait for it runs out, one for the two others does not.
    const later: Array<[string, number]> = [];
    started.whenStarted(['elsewhere'], (left) => later.push(['elsewhere', left]), 50);
    started.whenStarted(['x', 'y'], (left) => later.push(['x+y', left]), 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(later).toEqual([['x+y', 50], ['elsewhere', 0]]);
  });
});

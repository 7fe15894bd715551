import { afterEach, describe, expect, it } from 'vitest';
import { currentQuietGate, currentStartGate, setQuietGate, setStartGate, whenHostQuiet, whenJobsStarted, type QuietGate, type StartGate } from '../src/index.ts';

describe('whenHostQuiet', () => {
  afterEach(() => setQuietGate(null));

  it('runs at once when no worker set a gate in this process', () => {
    const log: string[] = [];
    whenHostQuiet(() => log.push('ran'), 2000);
    expect(log).toEqual(['ran']);
  });

  it('hands the work and its longest wait to the gate a worker set, until it is cleared', () => {
    const held: Array<[() => void, number]> = [];
    const gate: QuietGate = (run, maxWaitMs) => held.push([run, maxWaitMs]);
    setQuietGate(gate);
    expect(currentQuietGate()).toBe(gate);
    const log: string[] = [];
    whenHostQuiet(() => log.push('ahead'), 150);
    expect(log).toEqual([]);
    expect(held.map(([, wait]) => wait)).toEqual([150]);
    held[0]?.[0]();
    expect(log).toEqual(['ahead']);
    setQuietGate(null);
    whenHostQuiet(() => log.push('now'), 150);
    expect(log).toEqual(['ahead', 'now']);
  });
});

describe('whenJobsStarted', () => {
  afterEach(() => setStartGate(null));

  it('resolves at once without a worker in this process, or with no jobs to wait for', async () => {
    await whenJobsStarted(['j1'], 100);
    const gate: StartGate = () => undefined; // never calls back
    setStartGate(gate);
    await whenJobsStarted([], 100);
  });

  it('hands the job ids and the longest wait to the gate a worker set, and resolves when it calls back', async () => {
    const held: Array<[readonly string[], () => void, number]> = [];
    const gate: StartGate = (ids, run, maxWaitMs) => held.push([ids, run, maxWaitMs]);
    setStartGate(gate);
    expect(currentStartGate()).toBe(gate);
    let resolved = false;
    const waiting = whenJobsStarted(['j1', 'j2'], 100).then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(held.map(([ids, , wait]) => [ids, wait])).toEqual([[['j1', 'j2'], 100]]);
    held[0]?.[1]();
    await waiting;
    expect(resolved).toBe(true);
  });
});

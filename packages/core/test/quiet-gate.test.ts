import { afterEach, describe, expect, it } from 'vitest';
import { currentQuietGate, setQuietGate, whenHostQuiet, type QuietGate } from '../src/index.ts';

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

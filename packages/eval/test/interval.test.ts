import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../src/index.ts';

const rounded = (interval: { low: number; high: number }) => [
  Number(interval.low.toFixed(4)),
  Number(interval.high.toFixed(4)),
];

describe('wilsonInterval', () => {
  it('gives the 95% Wilson score interval', () => {
    expect(rounded(wilsonInterval(1, 2))).toEqual([0.0945, 0.9055]);
    expect(rounded(wilsonInterval(8, 10))).toEqual([0.4902, 0.9433]);
    expect(rounded(wilsonInterval(50, 100))).toEqual([0.4038, 0.5962]);
  });

  it('stays inside [0, 1] and is not empty at none or all', () => {
    expect(rounded(wilsonInterval(0, 12))).toEqual([0, 0.2425]);
    expect(rounded(wilsonInterval(12, 12))).toEqual([0.7575, 1]);
  });

  it('knows nothing without trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { CodecrewError, formatDuration, parseDuration, parseSize, toSafeToken } from '../src/index.ts';

describe('units', () => {
  it('parses durations and sizes', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('30s'),
      parseDuration('15m'),
      parseDuration('1h'),
      parseDuration(42),
    ]).toEqual([500, 30_000, 900_000, 3_600_000, 42]);
    expect([parseSize('2g'), parseSize('512m'), parseSize('64k'), parseSize('1MiB'), parseSize(10)]).toEqual([
      2 * 1024 ** 3,
      512 * 1024 ** 2,
      64 * 1024,
      1024 ** 2,
      10,
    ]);
    expect(() => parseDuration('soon')).toThrow(CodecrewError);
  });

  it('formats durations for people', () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(245_000)]).toEqual(['850ms', '12.3s', '4m05s']);
  });

  it('makes safe tokens', () => {
    expect(toSafeToken('Add User Registration!')).toBe('add-user-registration');
    expect(toSafeToken('***')).toBe('x');
  });
});

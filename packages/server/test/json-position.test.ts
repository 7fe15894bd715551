import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, positionOf } from '../src/api/json-position.ts';

describe('jsonErrorOffset', () => {
  it('finds nothing wrong in valid JSON', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, null, "x\\n\\u00e9"]} ', '"s"', '0', '[[[]]]'])
      expect(jsonErrorOffset(text)).toBeNull();
  });

  it('points at the first character JSON.parse refuses', () => {
    const cases: Array<[string, number]> = [
      ['{\n  "a": }', 9],
      ['{"a": 1,}', 8],
      ['[1 2]', 3],
      ['{a: 1}', 1],
      ['{"a" 1}', 5],
      ['[01]', 2],
      ['"unterminated', 0],
      ['{} x', 3],
      ['', 0],
      ['['.repeat(10_000), 10_000],
    ];
    for (const [text, offset] of cases) {
      expect(() => JSON.parse(text)).toThrow();
      expect(jsonErrorOffset(text), text.slice(0, 20)).toBe(offset);
    }
  });

  it('gives 1-based line and column', () => {
    expect(positionOf('{\n  "a": }', 9)).toEqual({ line: 2, column: 8 });
    expect(positionOf('x', 0)).toEqual({ line: 1, column: 1 });
  });
});

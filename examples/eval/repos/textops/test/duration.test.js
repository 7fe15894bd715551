import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../src/duration.js';

test('parses seconds and minutes', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
});

test('rejects text that is not a duration', () => {
  assert.throws(() => parseDuration('soon'), RangeError);
  assert.throws(() => parseDuration(''), RangeError);
});

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

test('parses hours and days', () => {
  assert.equal(parseDuration('2h'), 2 * 3_600_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1d2h'), 26 * 3_600_000);
  assert.equal(parseDuration('1d1h1m1s1ms'), 90_061_001);
});

test('still rejects unknown units', () => {
  assert.throws(() => parseDuration('3w'), RangeError);
  assert.throws(() => parseDuration('1h 30m'), RangeError);
});

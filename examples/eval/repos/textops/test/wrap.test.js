import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrap } from '../src/wrap.js';

test('breaks between words', () => {
  assert.deepEqual(wrap('the quick brown fox jumps', 10), ['the quick', 'brown fox', 'jumps']);
});

test('collapses whitespace', () => {
  assert.deepEqual(wrap('  a   b\n c ', 80), ['a b c']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrap } from '../src/wrap.js';

test('breaks between words', () => {
  assert.deepEqual(wrap('the quick brown fox jumps', 10), ['the quick', 'brown fox', 'jumps']);
});

test('collapses whitespace', () => {
  assert.deepEqual(wrap('  a   b\n c ', 80), ['a b c']);
});

test('splits a word longer than the width', () => {
  assert.deepEqual(wrap('see https://example.com/abc now', 8), ['see', 'https://', 'example.', 'com/abc', 'now']);
});

test('never returns a line longer than the width', () => {
  const text = 'aaaaaaaaaaaaaaaaaaaaaaa bb ccccccccc d';
  for (const width of [1, 2, 3, 5, 7]) {
    for (const line of wrap(text, width)) assert.ok(line.length <= width, `${JSON.stringify(line)} > ${width}`);
    assert.equal(wrap(text, width).join('').replace(/ /g, ''), text.replace(/\s+/g, ''));
  }
});

test('fills the rest of a long word after a short one', () => {
  assert.deepEqual(wrap('ab cdefghij', 4), ['ab', 'cdef', 'ghij']);
});

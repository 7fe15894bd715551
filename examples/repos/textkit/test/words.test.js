import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordCount } from '../src/index.js';

test('wordCount counts words', () => {
  assert.equal(wordCount('two words'), 2);
  assert.equal(wordCount('  spaced   out  words '), 3);
});

test('wordCount of an empty text is 0', () => {
  assert.equal(wordCount(''), 0);
  assert.equal(wordCount('   '), 0);
});

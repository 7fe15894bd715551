import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/index.js';

test('slugify lowercases and joins words with dashes', () => {
  assert.equal(slugify('Hello, World!'), 'hello-world');
});

test('slugify drops accents and trims dashes', () => {
  assert.equal(slugify('  Crème Brûlée  '), 'creme-brulee');
  assert.equal(slugify('--a  b--'), 'a-b');
});

test('slugify of an empty text is empty', () => {
  assert.equal(slugify(''), '');
});

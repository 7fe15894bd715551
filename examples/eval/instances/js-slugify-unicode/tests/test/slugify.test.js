import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/slugify.js';

test('joins lowercase words with dashes', () => {
  assert.equal(slugify('Hello, World!'), 'hello-world');
});

test('trims leading and trailing separators', () => {
  assert.equal(slugify('  --Release notes 2.0--  '), 'release-notes-2-0');
});

test('keeps accented letters as their base letter', () => {
  assert.equal(slugify('Café crème'), 'cafe-creme');
  assert.equal(slugify('Ångström Über Niño'), 'angstrom-uber-nino');
});

test('handles decomposed accents too', () => {
  assert.equal(slugify('Cafe\u0301'), 'cafe');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { titleCase } from '../src/index.js';

test('titleCase capitalizes each word', () => {
  assert.equal(titleCase('hello world'), 'Hello World');
  assert.equal(titleCase('HELLO'), 'Hello');
});

test('titleCase keeps small words lowercase except the first', () => {
  assert.equal(titleCase('the lord of the rings'), 'The Lord of the Rings');
});

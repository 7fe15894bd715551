import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../src/lru.js';

test('keeps at most capacity entries, evicting the oldest', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1).set('b', 2).set('c', 3);
  assert.deepEqual(cache.keys(), ['b', 'c']);
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.size, 2);
});

test('setting an existing key makes it the newest', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
  assert.deepEqual(cache.keys(), ['a', 'c']);
  assert.equal(cache.get('a'), 10);
});

test('rejects a capacity below one', () => {
  assert.throws(() => new LruCache(0), RangeError);
});

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

test('get makes an entry the most recently used', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1).set('b', 2);
  assert.equal(cache.get('a'), 1);
  cache.set('c', 3);
  assert.deepEqual(cache.keys(), ['a', 'c']);
  assert.equal(cache.get('b'), undefined);
});

test('a miss and has() do not change the order', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1).set('b', 2);
  assert.equal(cache.get('zzz'), undefined);
  assert.equal(cache.has('a'), true);
  assert.deepEqual(cache.keys(), ['a', 'b']);
});

test('stored undefined values are entries too', () => {
  const cache = new LruCache<string, number | undefined>(2);
  cache.set('a', undefined).set('b', 2);
  cache.get('a');
  cache.set('c', 3);
  assert.deepEqual(cache.keys(), ['a', 'c']);
});

test('rejects a capacity below one', () => {
  assert.throws(() => new LruCache(0), RangeError);
});

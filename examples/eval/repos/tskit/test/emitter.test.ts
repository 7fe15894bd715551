import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../src/emitter.js';

type Events = { saved: (id: string) => void; cleared: () => void };

test('calls listeners in order with the arguments', () => {
  const emitter = new Emitter<Events>();
  const seen: string[] = [];
  emitter.on('saved', (id) => seen.push(`first ${id}`));
  emitter.on('saved', (id) => seen.push(`second ${id}`));
  assert.equal(emitter.emit('saved', 'x'), 2);
  assert.deepEqual(seen, ['first x', 'second x']);
});

test('on returns a function that removes the listener', () => {
  const emitter = new Emitter<Events>();
  let calls = 0;
  const remove = emitter.on('cleared', () => calls++);
  remove();
  assert.equal(emitter.emit('cleared'), 0);
  assert.equal(calls, 0);
  assert.equal(emitter.listenerCount('cleared'), 0);
});

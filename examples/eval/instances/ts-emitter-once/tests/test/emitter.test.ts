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

test('once calls the listener for the next event only', () => {
  const emitter = new Emitter<Events>();
  const seen: string[] = [];
  emitter.once('saved', (id) => seen.push(id));
  assert.equal(emitter.listenerCount('saved'), 1);
  assert.equal(emitter.emit('saved', 'a'), 1);
  assert.equal(emitter.emit('saved', 'b'), 0);
  assert.deepEqual(seen, ['a']);
  assert.equal(emitter.listenerCount('saved'), 0);
});

test('once returns a function that cancels it', () => {
  const emitter = new Emitter<Events>();
  let calls = 0;
  const cancel = emitter.once('cleared', () => calls++);
  cancel();
  emitter.emit('cleared');
  assert.equal(calls, 0);
});

test('a once listener that emits again runs only once', () => {
  const emitter = new Emitter<Events>();
  let calls = 0;
  emitter.once('cleared', () => {
    calls++;
    emitter.emit('cleared');
  });
  emitter.emit('cleared');
  assert.equal(calls, 1);
});

test('the same function added with on and once is two listeners', () => {
  const emitter = new Emitter<Events>();
  let calls = 0;
  const listener = () => calls++;
  emitter.on('cleared', listener);
  emitter.once('cleared', listener);
  emitter.emit('cleared');
  emitter.emit('cleared');
  assert.equal(calls, 3);
});

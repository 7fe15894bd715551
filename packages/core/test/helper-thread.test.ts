import { describe, expect, it } from 'vitest';
import { HelperThread } from '../src/helper-thread.ts';

/** A thread that echoes requests doubled, and exits when asked to. */
const ECHO = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', (m) => { if (m.exit) process.exit(3); if (m.reply !== false) parentPort.postMessage({ id: m.id, twice: m.n * 2 }); });
  `)}`,
);

describe('HelperThread', () => {
  it('pairs each reply with its request', async () => {
    const thread = new HelperThread<{ id: number; twice: number }>(ECHO);
    const replies = await Promise.all([1, 2, 3].map((n) => new Promise((resolve) => thread.request({ n }, resolve))));
    expect(replies.map((r) => (r as { twice: number }).twice)).toEqual([2, 4, 6]);
    expect(thread.load).toBe(0);
  });

  it('tells every waiting request when the thread dies, and is broken after', async () => {
    const thread = new HelperThread<{ id: number; twice: number }>(ECHO);
    const waiting = new Promise((resolve) => thread.request({ n: 1, reply: false }, resolve));
    thread.tell({ exit: true });
    expect(await waiting).toBeNull();
    expect(thread.broken).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Helper, type HelperKind } from '../src/helper.ts';

/** Echoes requests doubled, with its pid, and exits when asked to. */
const ECHO = new URL('./fixtures/echo-helper.mjs', import.meta.url);

type Echo = { id: number; twice: number; pid: number };

describe.each<HelperKind>(['thread', 'process'])('Helper (%s)', (kind) => {
  it('pairs each reply with its request', async () => {
    const helper = new Helper<Echo>(ECHO, { kind });
    const replies = (await Promise.all([1, 2, 3].map((n) => new Promise((resolve) => helper.request({ n }, resolve))))) as Echo[];
    expect(replies.map((r) => r.twice)).toEqual([2, 4, 6]);
    // A thread lives in this process; a process is one of its own.
    expect(replies[0]?.pid === process.pid).toBe(kind === 'thread');
    expect(helper.load).toBe(0);
    helper.tell({ exit: true });
  });

  it('tells every waiting request when the helper dies, and is broken after', async () => {
    const helper = new Helper<Echo>(ECHO, { kind });
    const waiting = new Promise((resolve) => helper.request({ n: 1, reply: false }, resolve));
    helper.tell({ exit: true });
    expect(await waiting).toBeNull();
    expect(helper.broken).toBe(true);
    // A request made after its death hears null at once.
    expect(await new Promise((resolve) => helper.request({ n: 2 }, resolve))).toBeNull();
  });
});

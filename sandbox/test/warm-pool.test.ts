import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WarmPool, adoptDirectory } from '@codecrew/sandbox';
import { tempDir } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function counter(): {
  make: () => Promise<string>;
  made: string[];
  discarded: string[];
  pool: (size: number, maxKeys?: number) => WarmPool<string>;
} {
  const made: string[] = [];
  const discarded: string[] = [];
  let n = 0;
  return {
    made,
    discarded,
    make: async () => {
      const item = `item-${n++}`;
      made.push(item);
      return item;
    },
    pool: (size, maxKeys) =>
      new WarmPool<string>({
        size,
        ...(maxKeys === undefined ? {} : { maxKeys }),
        discard: async (item) => {
          discarded.push(item);
        },
      }),
  };
}

describe('WarmPool', () => {
  it('fills each key to its size and refills after a take', async () => {
    const c = counter();
    const pool = c.pool(2);
    expect(pool.take('a')).toEqual(undefined);
    pool.warm('a', c.make);
    await pool.settled();
    expect([pool.readyCount('a'), c.made]).toEqual([2, ['item-0', 'item-1']]);
    expect(pool.take('a')).toEqual('item-0');
    await pool.settled();
    expect([pool.readyCount('a'), c.made.length]).toEqual([2, 3]);
    expect(pool.take('b')).toEqual(undefined);
    await pool.close();
    expect(c.discarded).toEqual(['item-1', 'item-2']);
    expect(pool.take('a')).toEqual(undefined);
  });

  it('waits refillDelayMs after a take before making the replacement', async () => {
    const c = counter();
    const pool = new WarmPool<string>({ size: 1, refillDelayMs: 150, discard: async () => undefined });
    pool.warm('a', c.make);
    await pool.settled();
    pool.take('a');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.made).toEqual(['item-0']);
    await pool.settled();
    expect([c.made, pool.readyCount('a')]).toEqual([['item-0', 'item-1'], 1]);
    await pool.close();
  });

  it('does nothing with size 0', async () => {
    const c = counter();
    const pool = c.pool(0);
    pool.warm('a', c.make);
    await pool.settled();
    expect([pool.take('a'), c.made]).toEqual([undefined, []]);
  });

  it('drops the least recently used key beyond maxKeys', async () => {
    const c = counter();
    const pool = c.pool(1, 2);
    pool.warm('a', c.make);
    pool.warm('b', c.make);
    await pool.settled();
    pool.take('a');
    await pool.settled();
    pool.warm('c', c.make);
    await pool.settled();
    expect([pool.readyCount('a'), pool.readyCount('b'), pool.readyCount('c')]).toEqual([1, 0, 1]);
    expect(c.discarded).toEqual(['item-1']);
    await pool.close();
  });

  it('reports a failed make and tries again on the next take', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const pool = new WarmPool<string>({
      size: 1,
      discard: async () => undefined,
      onError: (error) => errors.push(error),
    });
    pool.warm('a', async () => {
      if (fail) throw new Error('no daemon');
      return 'ok';
    });
    await pool.settled();
    expect([pool.readyCount('a'), errors.map((e) => (e as Error).message)]).toEqual([0, ['no daemon']]);
    fail = false;
    expect(pool.take('a')).toEqual(undefined);
    await pool.settled();
    expect(pool.take('a')).toEqual('ok');
    await pool.close();
  });
});

describe('adoptDirectory', () => {
  it('moves the tree into the mounted directory and gives it the target path, owner and mode', () => {
    const root = tempDir('adopt');
    dirs.push(root);
    const mounted = join(root, 'pool', 'ws');
    const target = join(root, 'job', 'ws');
    mkdirSync(mounted, { recursive: true });
    mkdirSync(join(target, 'src'), { recursive: true, mode: 0o750 });
    writeFileSync(join(target, 'a.txt'), 'a\n');
    writeFileSync(join(target, 'src', 'b.txt'), 'b\n');
    const mountedIno = statSync(mounted).ino;
    const mode = statSync(target).mode;
    return adoptDirectory(mounted, target).then(() => {
      expect(statSync(target).ino).toEqual(mountedIno);
      expect(statSync(target).mode).toEqual(mode);
      expect(readdirSync(target).sort()).toEqual(['a.txt', 'src']);
      expect(readFileSync(join(target, 'src', 'b.txt'), 'utf8')).toEqual('b\n');
      expect(readdirSync(join(root, 'pool'))).toEqual([]);
    });
  });

  it('refuses a target whose parent is missing and leaves the mounted directory as it was', async () => {
    const root = tempDir('adopt-missing');
    dirs.push(root);
    const mounted = join(root, 'ws');
    mkdirSync(mounted);
    const error = await adoptDirectory(mounted, join(root, 'nope', 'ws')).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toEqual('ENOENT');
    expect(readdirSync(mounted)).toEqual([]);
  });
});

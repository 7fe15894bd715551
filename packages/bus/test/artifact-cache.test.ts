import { describe, expect, it } from 'vitest';
import { ArtifactCache } from '../src/artifact-cache.ts';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('ArtifactCache', () => {
  it('loads each digest once, however many ask at the same time', async () => {
    const cache = new ArtifactCache(1_000);
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return bytes(100);
    };
    const [a, b] = await Promise.all([cache.get('d1', 100, load), cache.get('d1', 100, load)]);
    expect(a).toBe(b);
    expect(await cache.get('d1', 100, load)).toBe(a);
    expect(loads).toBe(1);
  });

  it('drops the least recently used entries past its limit, and keeps nothing larger than the limit', async () => {
    const cache = new ArtifactCache(250);
    cache.put('a', bytes(100, 1));
    cache.put('b', bytes(100, 2));
    // Used: 'a' is now the most recent, so 'b' goes first.
    await cache.get('a', 100, () => Promise.reject(new Error('a is held')));
    cache.put('c', bytes(100, 3));
    expect(cache.size).toBe(200);
    expect((await cache.get('a', 100, () => Promise.reject(new Error('a is held'))))[0]).toBe(1);
    expect((await cache.get('b', 100, async () => bytes(100, 9)))[0]).toBe(9);
    cache.put('huge', bytes(300));
    let loads = 0;
    await cache.get('huge', 300, async () => ((loads += 1), bytes(300)));
    expect(loads).toBe(1);
    expect(cache.size).toBeLessThanOrEqual(250);
  });

  it('forgets a failed load, so the next read tries again', async () => {
    const cache = new ArtifactCache();
    await expect(cache.get('d', 10, () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(cache.size).toBe(0);
    expect((await cache.get('d', 10, async () => bytes(10, 5)))[0]).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import { HeapUpkeep } from '../src/worker/heap-upkeep.ts';

const MB = 1024 * 1024;

describe('HeapUpkeep', () => {
  it('collects the young objects at every moment and the whole heap once the old generation has grown enough', () => {
    let old = 100 * MB;
    const made: string[] = [];
    // A whole collection frees 12 MB here.
    const collect = (type: 'major' | 'minor') => {
      made.push(type);
      if (type === 'major') old -= 12 * MB;
    };
    const freeing = new HeapUpkeep({ collect, oldBytes: () => old }, 16 * MB);
    expect(freeing.tend()).toBe('minor');
    old += 15 * MB;
    expect(freeing.tend()).toBe('minor');
    old += 1 * MB;
    expect(freeing.tend()).toBe('major');
    // The growth counts from what the whole collection left.
    old += 15 * MB;
    expect(freeing.tend()).toBe('minor');
    // A collection V8 made on its own lowers the floor too.
    old -= 10 * MB;
    expect(freeing.tend()).toBe('minor');
    old += 16 * MB;
    expect(freeing.tend()).toBe('major');
    expect(made).toEqual(['minor', 'minor', 'major', 'minor', 'minor', 'major']);
  });

  it('works on this process: V8 hands out its collector', () => {
    const upkeep = HeapUpkeep.forThisProcess();
    expect(upkeep).not.toBeNull();
    expect(['major', 'minor']).toContain(upkeep?.tend());
    // The collector lives in its own context: this process's globals are as they were.
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

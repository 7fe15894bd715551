import { describe, expect, it } from 'vitest';
import { Slots } from '../src/graph/slots.ts';

describe('Slots', () => {
  it('never lets more than its size run at once, and runs everything', async () => {
    for (const size of [1, 2, 3]) {
      const slots = new Slots(size);
      let running = 0;
      let peak = 0;
      const done: number[] = [];
      await Promise.all(
        Array.from({ length: 7 }, (_, i) =>
          slots.run(async () => {
            running += 1;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 5));
            running -= 1;
            done.push(i);
          }),
        ),
      );
      expect(peak).toBe(size);
      expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }
  });
});

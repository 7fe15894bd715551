import { describe, expect, it } from 'vitest';
import { LoopGuard } from '../src/runtime/loop-guard.ts';

/** Feeds rounds `[tool, args, result, step?]` to a guard; returns the index of the round that tripped it, or -1. */
function trips(rounds: Array<[string, unknown, string, number?]>): { at: number; reason: string } {
  const guard = new LoopGuard();
  const at = rounds.findIndex(([tool, args, result, step]) =>
    guard.record(tool, args, result, step === undefined ? {} : { step }),
  );
  return { at, reason: guard.reason };
}

describe('LoopGuard', () => {
  it('stops the same call with the same result the fourth time in a row', () => {
    const read: [string, unknown, string] = ['read_file', { path: 'a.js' }, '1\tx'];
    expect(trips([read, read, read, read])).toEqual({
      at: 3,
      reason: 'it repeated read_file with the same arguments and result 4 times',
    });
    expect(trips([read, read, read, ['read_file', { path: 'b.js' }, '1\ty'], read, read]).at).toEqual(-1);
  });

  it('stops a tool failing with the same error in three steps in a row, whatever the arguments', () => {
    const error = 'Error: old text occurs 0 times in a.js, it must occur exactly once';
    expect(
      trips([
        ['edit_file', { path: 'a.js', old: 'x', new: 'y' }, error, 1],
        ['edit_file', { path: 'a.js', old: 'x ', new: 'y' }, error, 2],
        ['edit_file', { path: 'a.js', old: ' x', new: 'y' }, error, 3],
      ]),
    ).toEqual({ at: 2, reason: 'edit_file failed with the same error 3 times in a row' });
  });

  it('counts failures made together in one reply once, and restarts after a success or another error', () => {
    const error = 'Error: old text occurs 0 times in a.js, it must occur exactly once';
    const edit = (old: string, step: number): [string, unknown, string, number] => [
      'edit_file',
      { path: 'a.js', old, new: '' },
      error,
      step,
    ];
    expect(trips([edit('a', 1), edit('b', 1), edit('c', 1), edit('d', 2)]).at).toEqual(-1);
    expect(
      trips([edit('a', 1), edit('b', 2), ['read_file', { path: 'a.js' }, '1\tx', 3], edit('c', 4), edit('d', 5)]).at,
    ).toEqual(-1);
    expect(
      trips([
        edit('a', 1),
        edit('b', 2),
        ['edit_file', { path: 'b.js', old: 'q', new: '' }, 'Error: b.js does not exist', 3],
      ]).at,
    ).toEqual(-1);
  });

  it('stops two calls taking turns with the same results over six calls', () => {
    const a: [string, unknown, string] = ['shell', { command: 'npm test' }, '{"exit_code":1}'];
    const b: [string, unknown, string] = ['read_file', { path: 'src/app.js' }, '1\tconst a = 1;'];
    expect(trips([a, b, a, b, a, b])).toEqual({
      at: 5,
      reason: 'it alternated between shell and read_file with the same arguments and results for 6 calls',
    });
    const changed: [string, unknown, string] = ['shell', { command: 'npm test' }, '{"exit_code":0}'];
    expect(trips([a, b, a, b, changed, b]).at).toEqual(-1);
  });

  it('lets varied work through', () => {
    const rounds = Array.from({ length: 30 }, (_, i): [string, unknown, string] => [
      'read_file',
      { path: `f${i % 5}.js` },
      `content ${i}`,
    ]);
    expect(trips(rounds)).toEqual({ at: -1, reason: '' });
  });
});

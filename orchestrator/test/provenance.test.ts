import { describe, expect, it } from 'vitest';
import { parseHunks } from '../src/git/index.ts';

describe('parseHunks', () => {
  it('finds each hunk and the new-side lines it adds', () => {
    const patch = [
      'diff --git a/src/a.js b/src/a.js',
      'index 1..2 100644',
      '--- a/src/a.js',
      '+++ b/src/a.js',
      '@@ -1,3 +1,4 @@ function x',
      ' keep',
      '-old',
      '+new',
      '+more',
      ' tail',
      '@@ -10 +11,0 @@',
      '-gone',
      'diff --git a/b.txt b/b.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/b.txt',
      '@@ -0,0 +1,2 @@',
      '+one',
      '+two',
      '',
    ].join('\n');
    expect(parseHunks(patch)).toEqual([
      { file: 'src/a.js', header: '@@ -1,3 +1,4 @@', addedLines: [2, 3] },
      { file: 'src/a.js', header: '@@ -10 +11,0 @@', addedLines: [] },
      { file: 'b.txt', header: '@@ -0,0 +1,2 @@', addedLines: [1, 2] },
    ]);
  });
});

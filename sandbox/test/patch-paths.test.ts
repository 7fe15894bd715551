import { describe, expect, it } from 'vitest';
import { patchPaths } from '../src/workspace/patch-paths.ts';

describe('patchPaths', () => {
  it('reads git-style headers and strips a/ b/', () => {
    const patch = [
      'diff --git a/src/x.ts b/src/x.ts',
      '--- a/src/x.ts',
      '+++ b/src/x.ts',
      '@@ -1,2 +1,2 @@',
      '--- not a header, a removed line',
      '+++ not a header, an added line',
      'diff --git a/old.txt b/new.txt',
      'rename from old.txt',
      'rename to new.txt',
    ].join('\n');
    expect(patchPaths(patch)).toEqual({ strip: 1, paths: ['src/x.ts', 'old.txt', 'new.txt'] });
  });

  it('uses -p0 for plain headers and drops timestamps, /dev/null and quotes', () => {
    const patch = ['--- /dev/null\t2024-01-01', '+++ "dir/with\\ttab.txt"\t2024-01-02', '@@ -0,0 +1 @@', '+x', ''].join(
      '\n',
    );
    expect(patchPaths(patch)).toEqual({ strip: 0, paths: ['dir/with\ttab.txt'] });
  });
});

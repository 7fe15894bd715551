import { describe, expect, it } from 'vitest';
import { repoMap } from '../src/task/repo-map.ts';

describe('repoMap', () => {
  it('is an indented tree, directories first, chains of lone directories on one line', () => {
    expect(repoMap(['package.json', 'src/main/java/App.java', 'src/main/java/Util.java', 'test/app.test.js'])).toEqual(
      ['src/main/java/', '  App.java', '  Util.java', 'test/', '  app.test.js', 'package.json'].join('\n'),
    );
  });

  it('summarises deep directories when the whole tree does not fit', () => {
    const files = [
      'README.md',
      ...Array.from({ length: 30 }, (_, i) => `src/feature${i % 3}/file${i}.ts`),
      ...Array.from({ length: 5 }, (_, i) => `test/t${i}.ts`),
    ];
    expect(repoMap(files, 12)).toEqual(
      [
        'src/',
        '  feature0/ (10 files)',
        '  feature1/ (10 files)',
        '  feature2/ (10 files)',
        'test/',
        '  t0.ts',
        '  t1.ts',
        '  t2.ts',
        '  t3.ts',
        '  t4.ts',
        'README.md',
      ].join('\n'),
    );
    expect(repoMap(files, 3)).toEqual(['src/ (30 files)', 'test/ (5 files)', 'README.md'].join('\n'));
  });

  it('cuts a top level that does not fit, with a note', () => {
    const files = Array.from({ length: 10 }, (_, i) => `f${i}.txt`);
    expect(repoMap(files, 4)).toEqual(
      ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', '… (6 more entries; use list_files to see them)'].join('\n'),
    );
  });
});

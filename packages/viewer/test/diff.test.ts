import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attachProvenance, parseUnifiedDiff, provenanceLabel, shortJobId } from '../src/data/diff.ts';
import type { TaskReport } from '../src/data/types.ts';

const fixture = new URL('./fixtures/demo-task/', import.meta.url);
const patch = readFileSync(new URL('diff.patch', fixture), 'utf8');
const report = JSON.parse(readFileSync(new URL('report.json', fixture), 'utf8')) as TaskReport;

describe('parseUnifiedDiff', () => {
  it('splits a git diff into files and hunks with line numbers on both sides', () => {
    const files = parseUnifiedDiff(patch);
    expect(files.map((file) => [file.path, file.newFile])).toEqual([
      ['src/index.js', false],
      ['src/slug.js', true],
      ['src/title.js', true],
    ]);
    const index = files[0]?.hunks[0];
    expect(index?.header).toBe('@@ -1 +1,3 @@');
    expect(index?.lines.map((line) => [line.kind, line.oldLine, line.newLine])).toEqual([
      ['context', 1, 1],
      ['add', undefined, 2],
      ['add', undefined, 3],
    ]);
  });

  it('reads a deletion and a "no newline" note', () => {
    const files = parseUnifiedDiff(
      'diff --git a/x.txt b/x.txt\ndeleted file mode 100644\n--- a/x.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n\\ No newline at end of file\n',
    );
    expect(files[0]?.deleted).toBe(true);
    expect(files[0]?.path).toBe('x.txt');
    expect(files[0]?.hunks[0]?.lines.map((line) => line.kind)).toEqual(['del', 'del', 'note']);
  });
});

describe('hunk provenance', () => {
  it('labels every hunk of the demo diff with the subtask and job that wrote it', () => {
    const files = attachProvenance(parseUnifiedDiff(patch), report.provenance ?? []);
    expect(files.map((file) => provenanceLabel(file.hunks[0]?.origin))).toEqual([
      'exports · code-exports-r0',
      'slug · code-slug-r0',
      'title · code-title-r0',
    ]);
  });

  it('says when the origin is unknown or inferred', () => {
    expect(provenanceLabel(undefined)).toBe('origin unknown');
    expect(
      provenanceLabel({
        file: 'a',
        hunk: '@@',
        subtasks: ['a', 'b'],
        jobs: ['t1x-code-a-r0', 'resolve-1'],
        inferred: true,
      }),
    ).toBe('a + b · code-a-r0, resolve-1 (inferred)');
    expect(shortJobId('t0abc-code-slug-r1')).toBe('code-slug-r1');
  });
});

import { describe, expect, it } from 'vitest';
import { applyChunks, seek } from '../src/workspace/patch-match.ts';
import { parseAnchoredPatch, parseUnifiedLoose, unwrapPatch } from '../src/workspace/patch-parse.ts';

describe('parseAnchoredPatch', () => {
  it('reads files, @@ anchors, chunks and End of File, without line numbers', () => {
    const ops = parseAnchoredPatch(
      [
        '*** Begin Patch',
        '*** Update File: a.py',
        '@@ class A:',
        '@@     def f(self):',
        '-        return 1',
        '+        return 2',
        '@@',
        ' x = 1',
        '-y = 2',
        '*** End of File',
        '*** Add File: b.py',
        '+print("b")',
        '*** Delete File: c.py',
        '*** End Patch',
      ].join('\n'),
    );
    expect(ops.map((op) => [op.kind, op.path])).toEqual([
      ['update', 'a.py'],
      ['add', 'b.py'],
      ['delete', 'c.py'],
    ]);
    const update = ops[0];
    if (update?.kind !== 'update') throw new Error('expected an update');
    expect(update.chunks.map((c) => [c.anchors, c.lines.map((l) => `${l.kind}${l.text}`), c.endOfFile])).toEqual([
      [['class A:', 'def f(self):'], ['-        return 1', '+        return 2'], false],
      [[], [' x = 1', '-y = 2'], true],
    ]);
    expect(ops[1]).toEqual({ kind: 'add', path: 'b.py', content: 'print("b")\n' });
  });

  it('says where a file header was expected', () => {
    expect(() => parseAnchoredPatch('*** Begin Patch\n--- a/x\n*** End Patch\n')).toThrow(
      'line 2 of the patch is "--- a/x", where a file header was expected: *** Add File: <path>, *** Update File: <path> or *** Delete File: <path>',
    );
  });
});

describe('parseUnifiedLoose', () => {
  it('ignores hunk counts, keeps start lines as hints and strips a/ b/', () => {
    const ops = parseUnifiedLoose(
      [
        '--- a/x.txt',
        '+++ b/x.txt',
        '@@ -7,99 +7,1 @@',
        ' keep',
        '-old',
        '+new',
        '--- /dev/null',
        '+++ b/y.txt',
        '@@ -0,0 +1,5 @@',
        '+hello',
        '',
      ].join('\n'),
    );
    expect(ops?.map((op) => op.kind)).toEqual(['update', 'add']);
    const update = ops?.[0];
    expect(update?.kind === 'update' ? [update.path, update.chunks[0]?.hintLine] : null).toEqual(['x.txt', 7]);
    expect(ops?.[1]).toEqual({ kind: 'add', path: 'y.txt', content: 'hello\n' });
  });

  it('leaves binary patches and renames to git', () => {
    expect(parseUnifiedLoose('diff --git a/x b/x\nGIT binary patch\nliteral 3\n')).toBeNull();
    expect(parseUnifiedLoose('diff --git a/x b/y\nrename from x\nrename to y\n')).toBeNull();
  });
});

describe('unwrapPatch', () => {
  it('takes the patch out of a code fence and out of a here-document', () => {
    expect(unwrapPatch('```diff\n--- a/x\n+++ b/x\n```')).toEqual('--- a/x\n+++ b/x\n');
    expect(unwrapPatch("apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: x\n*** End Patch\nEOF\n")).toEqual(
      '*** Begin Patch\n*** Delete File: x\n*** End Patch\n',
    );
  });
});

describe('seek and applyChunks', () => {
  const chunk = (lines: string[], extra: Partial<{ anchors: string[]; hintLine: number }> = {}) => ({
    anchors: extra.anchors ?? [],
    lines: lines.map((l) => ({ kind: l[0] as ' ' | '-' | '+', text: l.slice(1) })),
    endOfFile: false,
    index: 1,
    body: lines,
    ...(extra.hintLine === undefined ? {} : { hintLine: extra.hintLine }),
  });

  it('matches exactly first, then ignoring whitespace, then typographic quotes and dashes', () => {
    const lines = ['const s = "a";', '  x  =  1', 'y = a - b'];
    expect(seek(lines, ['x = 1'], 0)).toEqual(1);
    expect(seek(lines, ['const s = \u201ca\u201d;'], 0)).toEqual(0);
    expect(seek(lines, ['y = a \u2013 b'], 0)).toEqual(2);
    expect(seek(lines, ['nothing'], 0)).toEqual(-1);
  });

  it('picks the occurrence nearest the hint', () => {
    expect(seek(['}', 'a', '}', 'b', '}'], ['}'], 0, { hint: 3 })).toEqual(2);
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    const result = applyChunks('a\r\nb\r\nc', [chunk([' a', '-b', '+B'])]);
    expect(result).toEqual({ text: 'a\r\nB\r\nc', applied: 1, rejects: [], fuzzy: false });
  });

  it('inserts an addition-only chunk right after its anchor', () => {
    const result = applyChunks('class A {\n}\nclass B {\n}\n', [chunk(['+  x = 1;'], { anchors: ['class B {'] })]);
    expect(result.text).toEqual('class A {\n}\nclass B {\n  x = 1;\n}\n');
  });

  it('applies the chunks it can place and returns the others', () => {
    const result = applyChunks('one\ntwo\nthree\n', [chunk(['-one', '+1']), chunk(['-four', '+4'])]);
    expect(result.text).toEqual('1\ntwo\nthree\n');
    expect(result.rejects.map((r) => r.reason)).toEqual([
      'its context and removed lines are not in the file as written',
    ]);
  });
});

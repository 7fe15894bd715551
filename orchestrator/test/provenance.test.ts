import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitRepo, hunkProvenance, parseHunks } from '../src/git/index.ts';

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
      { file: 'src/a.js', header: '@@ -1,3 +1,4 @@', newStart: 1, newCount: 4, addedLines: [2, 3] },
      { file: 'src/a.js', header: '@@ -10 +11,0 @@', newStart: 11, newCount: 0, addedLines: [] },
      { file: 'b.txt', header: '@@ -0,0 +1,2 @@', newStart: 1, newCount: 2, addedLines: [1, 2] },
    ]);
  });
});

describe('hunkProvenance', () => {
  it('traces hunks to the commits that wrote them: by file when one commit touched it, by blame when several did', async () => {
    const root = mkdtempSync(join(tmpdir(), 'codecrew-provenance-'));
    try {
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      };
      const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, encoding: 'utf8' }).trim();
      const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
      git('init', '--quiet');
      writeFileSync(join(root, 'shared.txt'), `${lines.join('\n')}\n`);
      writeFileSync(join(root, 'gone.txt'), 'a\nb\n');
      git('add', '-A');
      git('commit', '--quiet', '-m', 'base');
      const base = git('rev-parse', 'HEAD');
      const commit = (edit: () => void) => {
        edit();
        git('add', '-A');
        git('commit', '--quiet', '-m', 'step');
        return git('rev-parse', 'HEAD');
      };
      const top = commit(() => writeFileSync(join(root, 'shared.txt'), `${['TOP', ...lines].join('\n')}\n`));
      const only = commit(() => writeFileSync(join(root, 'only.txt'), 'new\n'));
      const bottom = commit(() =>
        writeFileSync(join(root, 'shared.txt'), `${['TOP', ...lines, 'BOTTOM'].join('\n')}\n`),
      );
      const deleter = commit(() => writeFileSync(join(root, 'gone.txt'), 'a\n'));
      const repo = new GitRepo(root);
      const patch = git('diff', base, 'HEAD');
      const hunks = await hunkProvenance(repo, base, deleter, `${patch}\n`);
      const byFile = (file: string) =>
        hunks.filter((h) => h.file === file).map((h) => ({ commits: h.commits, inferred: h.inferred }));
      expect(byFile('shared.txt')).toEqual([
        { commits: [top], inferred: false },
        { commits: [bottom], inferred: false },
      ]);
      expect(byFile('only.txt')).toEqual([{ commits: [only], inferred: false }]);
      expect(byFile('gone.txt')).toEqual([{ commits: [deleter], inferred: true }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

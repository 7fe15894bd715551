import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFileSet, encodeFileSet, isCodecrewError } from '@codecrew/core';
import { BaselineCache, Workspace } from '@codecrew/sandbox';
import { gitArchive, tempDir } from './helpers.ts';

const FILES = {
  'README.md': '# demo\n',
  'src/app.js': 'const a = 1;\nconst b = 2;\nconst a2 = 1;\nmodule.exports = { a, b };\n',
  'src/old.js': 'gone soon\n',
  '.gitignore': 'build/\n',
};

const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ws) => ws.dispose()));
});

async function workspace(name: string, files: Record<string, string | Buffer> = FILES): Promise<Workspace> {
  const parentDir = tempDir(name);
  const ws = await Workspace.create({ parentDir, tar: gitArchive(name, files) });
  open.push(ws);
  return ws;
}

/** The error code a promise or function fails with. */
async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (error) {
    if (isCodecrewError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

const PASSWD = readFileSync('/etc/passwd', 'utf8');

describe('Workspace layout', () => {
  it('extracts the tree into ws, owned by uid 1000, with a baseline git dir beside it', async () => {
    const ws = await workspace('layout');
    expect(ws.root).toEqual(join(ws.parentDir, 'ws'));
    expect(readFileSync(join(ws.root, 'src/app.js'), 'utf8')).toEqual(FILES['src/app.js']);
    expect(lstatSync(join(ws.root, 'src/app.js')).uid).toEqual(1000);
    expect(lstatSync(join(ws.root, 'src')).gid).toEqual(1000);
    expect(existsSync(join(ws.parentDir, 'base.git/HEAD'))).toEqual(true);
    expect(existsSync(join(ws.root, '.git'))).toEqual(false);
    expect(await ws.diff()).toEqual({ patch: '', changedFiles: [], changes: [] });
  });

  // tar runs as uid 1000 under a root that uid can enter (0o755), else (0o700, as mkdtemp makes) as this process, handing over after.
  it.each([
    ['by tar as uid 1000', 0o755],
    ['by tar, handed over after', 0o700],
  ])('gives the files to uid 1000, extracted %s', async (_, mode) => {
    const name = `root-${mode.toString(8)}`;
    const root = tempDir(name);
    chmodSync(root, mode);
    const ws = await Workspace.create({ parentDir: join(root, 'job'), tar: gitArchive(name, FILES) });
    open.push(ws);
    expect(readFileSync(join(ws.root, 'src/app.js'), 'utf8')).toEqual(FILES['src/app.js']);
    for (const path of ['', 'src', 'src/app.js'])
      expect(lstatSync(join(ws.root, path))).toMatchObject({ uid: 1000, gid: 1000 });
    expect(await ws.diff()).toEqual({ patch: '', changedFiles: [], changes: [] });
  });

  it('dispose removes everything', async () => {
    const ws = await workspace('dispose');
    await ws.dispose();
    expect(existsSync(ws.parentDir)).toEqual(false);
  });
});

describe('Workspace confinement', () => {
  it('resolves relative paths inside the root', async () => {
    const ws = await workspace('resolve');
    expect(ws.resolve('src/app.js')).toEqual(join(ws.root, 'src/app.js'));
    expect(ws.resolve('./src/../README.md')).toEqual(join(ws.root, 'README.md'));
    expect(ws.resolve('.')).toEqual(ws.root);
    expect(ws.resolve('new/dir/file.txt')).toEqual(join(ws.root, 'new/dir/file.txt'));
  });

  it('refuses absolute paths and .. escapes', async () => {
    const ws = await workspace('escape');
    for (const bad of ['/etc/passwd', '..', '../x', 'src/../../x', '../ws/README.md']) {
      expect(await codeOf(() => ws.resolve(bad))).toEqual('PATH_OUTSIDE_WORKSPACE');
      expect(await codeOf(() => ws.readFile(bad))).toEqual('PATH_OUTSIDE_WORKSPACE');
      expect(await codeOf(() => ws.writeFile(bad, 'x'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    }
    expect(existsSync(join(ws.parentDir, 'x'))).toEqual(false);
  });

  it('refuses a symlink to /etc/passwd in readFile, writeFile, editFile and applyPatch', async () => {
    const ws = await workspace('symlink-file');
    symlinkSync('/etc/passwd', join(ws.root, 'evil'));
    expect(await codeOf(() => ws.readFile('evil'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(await codeOf(() => ws.writeFile('evil', 'owned\n'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(await codeOf(() => ws.editFile('evil', 'root', 'toor'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    const patch = '--- a/evil\n+++ b/evil\n@@ -1 +1 @@\n-root:x:0:0:root:/root:/bin/bash\n+owned\n';
    expect(await codeOf(() => ws.applyPatch(patch))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(readFileSync('/etc/passwd', 'utf8')).toEqual(PASSWD);
  });

  it('refuses paths through a symlinked directory that leads out, and dangling links that would', async () => {
    const ws = await workspace('symlink-dir');
    const outside = tempDir('symlink-dir-target');
    symlinkSync(outside, join(ws.root, 'out'));
    symlinkSync(join(outside, 'not-yet'), join(ws.root, 'dangling'));
    expect(await codeOf(() => ws.writeFile('out/x.txt', 'x'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(await codeOf(() => ws.writeFile('dangling', 'x'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(await codeOf(() => ws.listFiles('out'))).toEqual('PATH_OUTSIDE_WORKSPACE');
    const patch = '--- /dev/null\n+++ b/out/new.txt\n@@ -0,0 +1 @@\n+x\n';
    expect(await codeOf(() => ws.applyPatch(patch))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(existsSync(join(outside, 'x.txt'))).toEqual(false);
    expect(existsSync(join(outside, 'not-yet'))).toEqual(false);
    expect(existsSync(join(outside, 'new.txt'))).toEqual(false);
    rmSync(outside, { recursive: true });
  });

  it('reads through a symlink that stays inside but refuses to write through it', async () => {
    const ws = await workspace('symlink-inside');
    symlinkSync('src/app.js', join(ws.root, 'link.js'));
    expect(await ws.readFile('link.js', { limit: 1 })).toEqual(
      '    1\tconst a = 1;\n(showing lines 1-1 of 4; read on with offset=2)',
    );
    expect(await codeOf(() => ws.writeFile('link.js', 'x'))).toEqual('TOOL_FAILED');
    expect(await codeOf(() => ws.editFile('link.js', 'const b', 'let b'))).toEqual('TOOL_FAILED');
    expect(readFileSync(join(ws.root, 'src/app.js'), 'utf8')).toEqual(FILES['src/app.js']);
  });

  it('refuses a patch whose header path leaves the workspace', async () => {
    const ws = await workspace('patch-escape');
    const patch = '--- /dev/null\n+++ b/../escaped.txt\n@@ -0,0 +1 @@\n+x\n';
    expect(await codeOf(() => ws.applyPatch(patch))).toEqual('PATH_OUTSIDE_WORKSPACE');
    const absolute = '--- /dev/null\n+++ /tmp/escaped.txt\n@@ -0,0 +1 @@\n+x\n';
    expect(await codeOf(() => ws.applyPatch(absolute))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(existsSync(join(ws.parentDir, 'escaped.txt'))).toEqual(false);
  });
});

describe('Workspace file tools', () => {
  it('reads numbered lines with offset and limit', async () => {
    const ws = await workspace('read');
    expect(await ws.readFile('src/app.js')).toEqual(
      '    1\tconst a = 1;\n    2\tconst b = 2;\n    3\tconst a2 = 1;\n    4\tmodule.exports = { a, b };',
    );
    expect(await ws.readFile('src/app.js', { offset: 2, limit: 2 })).toEqual(
      '    2\tconst b = 2;\n    3\tconst a2 = 1;\n(showing lines 2-3 of 4; read on with offset=4)',
    );
    expect(await ws.readFile('src/app.js', { offset: 9 })).toEqual(
      '(src/app.js has 4 lines; offset 9 is past the end)',
    );
    expect(await codeOf(() => ws.readFile('nope.txt'))).toEqual('FILE_NOT_FOUND');
    expect(await codeOf(() => ws.readFile('src'))).toEqual('TOOL_FAILED');
  });

  it('refuses binary files with a clear message', async () => {
    const ws = await workspace('binary', { 'logo.bin': Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]) });
    await expect(ws.readFile('logo.bin')).rejects.toThrow(
      'logo.bin is a binary file (5 bytes); it cannot be shown as text',
    );
  });

  it('refuses files too big to read whole', async () => {
    const ws = await workspace('huge');
    writeFileSync(join(ws.root, 'big.log'), 'x'.repeat(5 * 1024 * 1024));
    await expect(ws.readFile('big.log')).rejects.toThrow(
      'big.log is 5242880 bytes, too big to read whole; use shell with head, sed -n or rg to look into it',
    );
  });

  it('writes files, creating parent directories owned by the sandbox user', async () => {
    const ws = await workspace('write');
    await ws.writeFile('lib/deep/new.ts', 'export const x = 1;\n');
    expect(readFileSync(join(ws.root, 'lib/deep/new.ts'), 'utf8')).toEqual('export const x = 1;\n');
    expect(lstatSync(join(ws.root, 'lib/deep/new.ts')).uid).toEqual(1000);
    expect(lstatSync(join(ws.root, 'lib')).uid).toEqual(1000);
    await ws.writeFile('README.md', 'replaced\n');
    expect(readFileSync(join(ws.root, 'README.md'), 'utf8')).toEqual('replaced\n');
    expect(await codeOf(() => ws.writeFile('src', 'x'))).toEqual('TOOL_FAILED');
  });

  it('edits only when the old text occurs exactly once', async () => {
    const ws = await workspace('edit');
    await expect(ws.editFile('src/app.js', 'const c', 'let c')).rejects.toThrow(
      'old text occurs 0 times in src/app.js, it must occur exactly once; read the file again and copy the exact text, whitespace included',
    );
    await expect(ws.editFile('src/app.js', '= 1;', '= 10;')).rejects.toThrow(
      'old text occurs 2 times in src/app.js, it must occur exactly once; include more surrounding lines in old so that it matches exactly once',
    );
    expect(await codeOf(() => ws.editFile('src/app.js', '= 1;', '= 10;'))).toEqual('TOOL_FAILED');
    await ws.editFile('src/app.js', 'const b = 2;', 'const b = 3;');
    expect(readFileSync(join(ws.root, 'src/app.js'), 'utf8')).toEqual(
      'const a = 1;\nconst b = 3;\nconst a2 = 1;\nmodule.exports = { a, b };\n',
    );
    expect(await codeOf(() => ws.editFile('missing.js', 'a', 'b'))).toEqual('FILE_NOT_FOUND');
    expect(await codeOf(() => ws.editFile('src/app.js', '', 'b'))).toEqual('TOOL_INVALID_ARGS');
  });

  it('shows the changed lines of an edit with four lines of context, numbered', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const ws = await workspace('edit-snippet', { 'notes.txt': `${lines.join('\n')}\n` });
    const change = await ws.editFile('notes.txt', 'line 10\n', 'line ten\nline ten and a half\n');
    expect(change).toMatchObject({
      path: 'notes.txt',
      created: false,
      unchanged: false,
      totalLines: 21,
      summary: 'lines 10-11 changed',
    });
    expect(change.snippet).toEqual(
      [
        '    6\tline 6',
        '    7\tline 7',
        '    8\tline 8',
        '    9\tline 9',
        '   10\tline ten',
        '   11\tline ten and a half',
        '   12\tline 11',
        '   13\tline 12',
        '   14\tline 13',
        '   15\tline 14',
      ].join('\n'),
    );
    const removal = await ws.editFile('notes.txt', 'line 2\n', '');
    expect(removal.summary).toEqual('1 line(s) removed after line 1');
    expect(removal.snippet.split('\n')[0]).toEqual('    1\tline 1');
    expect(removal.snippet.split('\n').at(-1)).toEqual('    5\tline 6');
    expect((await ws.editFile('notes.txt', 'line 3', 'line 3')).unchanged).toEqual(true);
  });

  it('shows what a write changed: the whole of a new file, the changed lines of a rewrite', async () => {
    const ws = await workspace('write-snippet');
    const created = await ws.writeFile('src/new.js', 'export const x = 1;\nexport const y = 2;\n');
    expect(created).toEqual({
      path: 'src/new.js',
      created: true,
      unchanged: false,
      totalLines: 2,
      summary: '2 line(s)',
      snippet: '    1\texport const x = 1;\n    2\texport const y = 2;',
    });
    const rewritten = await ws.writeFile(
      'src/app.js',
      'const a = 1;\nconst b = 3;\nconst a2 = 1;\nmodule.exports = { a, b };\n',
    );
    expect([rewritten.created, rewritten.summary]).toEqual([false, 'line 2 changed']);
    expect(rewritten.snippet.split('\n')).toHaveLength(4);
    const long = await ws.writeFile('long.txt', Array.from({ length: 100 }, (_, i) => `row ${i + 1}`).join('\n'));
    expect(long.snippet).toContain('  ... (lines 43-82 not shown; read_file with offset=43 shows them)');
    expect(long.snippet.split('\n').at(-1)).toEqual('  100\trow 100');
  });

  it('applies a clean patch, creating new files', async () => {
    const ws = await workspace('patch-clean');
    const patch = [
      'diff --git a/src/app.js b/src/app.js',
      '--- a/src/app.js',
      '+++ b/src/app.js',
      '@@ -1,3 +1,3 @@',
      ' const a = 1;',
      '-const b = 2;',
      '+const b = 20;',
      ' const a2 = 1;',
      'diff --git a/src/new.js b/src/new.js',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/src/new.js',
      '@@ -0,0 +1 @@',
      '+export {};',
      '',
    ].join('\n');
    expect(await ws.applyPatch(patch)).toEqual({
      applied: true,
      files: ['src/app.js', 'src/new.js'],
      rejected: '',
      note: '',
    });
    expect(readFileSync(join(ws.root, 'src/app.js'), 'utf8')).toEqual(
      'const a = 1;\nconst b = 20;\nconst a2 = 1;\nmodule.exports = { a, b };\n',
    );
    expect(readFileSync(join(ws.root, 'src/new.js'), 'utf8')).toEqual('export {};\n');
    expect(lstatSync(join(ws.root, 'src/new.js')).uid).toEqual(1000);
  });

  it('applies what it can of a patch without a/ b/ prefixes and reports the rejected hunks', async () => {
    const ws = await workspace('patch-partial');
    const patch = [
      '--- README.md',
      '+++ README.md',
      '@@ -1 +1 @@',
      '-# demo',
      '+# demo app',
      '--- src/app.js',
      '+++ src/app.js',
      '@@ -1,1 +1,1 @@',
      '-const zzz = 9;',
      '+const zzz = 10;',
    ].join('\n');
    const result = await ws.applyPatch(patch);
    expect(result.applied).toEqual(false);
    expect(result.files).toEqual(['README.md']);
    expect(result.rejected).toEqual(
      [
        'src/app.js, hunk 1 did not apply: its context and removed lines are not in the file as written.',
        '@@ -1,1 +1,1 @@',
        '-const zzz = 9;',
        '+const zzz = 10;',
        "The file's actual lines 1-3:",
        '    1\tconst a = 1;',
        '    2\tconst b = 2;',
        '    3\tconst a2 = 1;',
      ].join('\n'),
    );
    expect(readFileSync(join(ws.root, 'README.md'), 'utf8')).toEqual('# demo app\n');
    expect(existsSync(join(ws.root, 'src/app.js.rej'))).toEqual(false);
  });

  it('lists files with trailing slashes on directories, skipping .git and node_modules contents', async () => {
    const ws = await workspace('list', { ...FILES, 'node_modules/dep/index.js': '', 'a/b/c/d.txt': 'deep\n' });
    await ws.writeFile('.git/config', '[core]\n');
    expect((await ws.listFiles()).split('\n')).toEqual([
      '.git/',
      '.gitignore',
      'README.md',
      'a/',
      'a/b/',
      'a/b/c/',
      'node_modules/',
      'src/',
      'src/app.js',
      'src/old.js',
    ]);
    expect(await ws.listFiles('a', 5)).toEqual('a/b/\na/b/c/\na/b/c/d.txt');
    expect(await ws.listFiles('src/app.js')).toEqual('src/app.js');
  });
});

describe('Workspace diff', () => {
  it('shows new, changed and deleted files against the baseline, binary-safe, .gitignore respected', async () => {
    const ws = await workspace('diff');
    await ws.writeFile('src/app.js', 'const a = 1;\n');
    await ws.writeFile('src/added.js', 'added\n');
    unlinkSync(join(ws.root, 'src/old.js'));
    writeFileSync(join(ws.root, 'blob.bin'), Buffer.from([0, 1, 2, 3, 255]));
    await ws.writeFile('build/out.js', 'ignored\n');
    const { patch, changedFiles } = await ws.diff();
    expect(changedFiles).toEqual(['blob.bin', 'src/added.js', 'src/app.js', 'src/old.js']);
    expect(patch).toContain('diff --git a/blob.bin b/blob.bin\nnew file mode 100644\n');
    expect(patch).toContain('GIT binary patch');
    expect(patch).toContain('--- /dev/null\n+++ b/src/added.js\n@@ -0,0 +1 @@\n+added\n');
    expect(patch).toContain(
      '--- a/src/app.js\n+++ b/src/app.js\n@@ -1,4 +1 @@\n const a = 1;\n-const b = 2;\n-const a2 = 1;\n-module.exports = { a, b };\n',
    );
    expect(patch).toContain('deleted file mode 100644');
    expect(patch).not.toContain('build/out.js');

    // The diff applies cleanly to a fresh copy of the starting tree.
    const copy = await workspace('diff-copy');
    expect(await copy.applyPatch(patch)).toMatchObject({ applied: true, rejected: '', note: '' });
    expect((await copy.diff()).patch).toEqual(patch);
  });

  it('hands over each changed path with its mode, blob id and bytes, as git recorded them', async () => {
    const ws = await workspace('changes');
    await ws.writeFile('src/app.js', 'const a = 1;\n');
    writeFileSync(join(ws.root, 'blob.bin'), Buffer.from([0, 1, 2, 3, 255]));
    writeFileSync(join(ws.root, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('src/app.js', join(ws.root, 'link'));
    unlinkSync(join(ws.root, 'src/old.js'));
    const { changes } = await ws.diff();
    const git = (...args: string[]) =>
      execFileSync('git', [`--git-dir=${ws.gitDir}`, ...args], { encoding: 'utf8' }).trim();
    expect(changes.map((c) => [c.path, c.mode])).toEqual([
      ['blob.bin', '100644'],
      ['link', '120000'],
      ['run.sh', '100755'],
      ['src/app.js', '100644'],
      ['src/old.js', null],
    ]);
    // The ids are the ones git stored in the index.
    for (const change of changes.filter((c) => c.blob !== null))
      expect(git('rev-parse', `:${change.path}`)).toBe(change.blob);
    const entries = await ws.readChanges(changes);
    expect(entries?.find((e) => e.path === 'link')?.data?.toString()).toBe('src/app.js');
    expect(entries?.find((e) => e.path === 'blob.bin')?.data).toEqual(Buffer.from([0, 1, 2, 3, 255]));
    expect(entries?.find((e) => e.path === 'src/old.js')).toEqual({
      path: 'src/old.js',
      mode: null,
      blob: null,
      data: null,
    });
    // They survive the trip through an artifact, and the bytes are checked against their ids.
    const packed = encodeFileSet(entries ?? []);
    expect(decodeFileSet(packed)).toEqual(entries);
    const tampered = Buffer.from(packed);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(() => decodeFileSet(tampered)).toThrow(/do not match blob/);
    // A file changed after git looked at it is not handed over as git saw it.
    await ws.writeFile('src/app.js', 'changed since\n');
    expect(await ws.readChanges(changes)).toBeNull();
  });
});

describe('Workspace file sets', () => {
  /** Every path below `root` with its type, mode and content (or link target). */
  function snapshot(root: string, dir = ''): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (dir === '' && name === '.git') continue;
      const rel = dir === '' ? name : `${dir}/${name}`;
      const info = lstatSync(join(root, rel));
      if (info.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(join(root, rel))}`;
      else if (info.isDirectory()) Object.assign(out, { [rel]: 'dir' }, snapshot(root, rel));
      else
        out[rel] =
          `${(info.mode & 0o111) !== 0 ? 'exec' : 'file'} ${info.uid} ${readFileSync(join(root, rel), 'utf8')}`;
    }
    return out;
  }

  it("writes a coder's file set over a fresh copy of the tree to the same tree: swaps, links, modes, deletions", async () => {
    const files = {
      'README.md': '# demo\n',
      'src/old.js': 'a file soon a directory\n',
      'docs/a.md': 'a directory soon a file\n',
      'keep/b.txt': 'b\n',
      'run.sh': 'echo\n',
    };
    const coder = await workspace('set-coder', files);
    unlinkSync(join(coder.root, 'src/old.js'));
    await coder.writeFile('src/old.js/inner.txt', 'now inside a directory\n');
    rmSync(join(coder.root, 'docs'), { recursive: true });
    await coder.writeFile('docs', 'now a file\n');
    unlinkSync(join(coder.root, 'keep/b.txt'));
    chmodSync(join(coder.root, 'run.sh'), 0o755);
    symlinkSync('README.md', join(coder.root, 'readme-link'));
    await coder.writeFile('new/deep/c.txt', 'c\n');
    const entries = await coder.readChanges((await coder.diff()).changes);
    expect(entries).not.toBeNull();

    const tester = await Workspace.create({
      parentDir: tempDir('set-tester'),
      tar: gitArchive('set-tester', files),
      baseline: false,
    });
    open.push(tester);
    tester.writeFileSet(entries ?? []);
    // A directory left empty is gone, as in a checkout of the merged tree.
    expect(existsSync(join(tester.root, 'keep'))).toBe(false);
    rmSync(join(coder.root, 'keep'), { recursive: true });
    expect(snapshot(tester.root)).toEqual(snapshot(coder.root));
  });

  it('refuses a path through a symbolic link and writes nothing outside', async () => {
    const outside = tempDir('set-outside');
    const ws = await workspace('set-link', { 'README.md': '# demo\n' });
    symlinkSync(outside, join(ws.root, 'out'));
    const data = Buffer.from('escaped\n');
    const entry = { path: 'out/x.txt', mode: '100644', blob: '0'.repeat(40), data };
    expect(await codeOf(() => ws.writeFileSet([entry]))).toBe('PATH_OUTSIDE_WORKSPACE');
    expect(await codeOf(() => ws.writeFileSet([{ ...entry, path: '../x.txt' }]))).toBe('PATH_OUTSIDE_WORKSPACE');
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('shared baselines', () => {
  it('records a tree once and gives every workspace of it the same baseline, with its own changes', async () => {
    const cacheDir = tempDir('baselines');
    const cache = new BaselineCache(cacheDir, 0);
    const tar = gitArchive('shared', FILES);
    const [first, second] = await Promise.all(
      ['first', 'second'].map((name) =>
        Workspace.create({ parentDir: tempDir(`shared-${name}`), tar, shared: { cache, key: 'tree-1' } }),
      ),
    );
    const one = first as Workspace;
    const two = second as Workspace;
    expect(readdirSync(cacheDir)).toHaveLength(1);
    // Each index already knows its own tree's file stats: git sees nothing to re-check.
    for (const ws of [one, two]) {
      const diffFiles = execFileSync(
        'git',
        [`--git-dir=${ws.gitDir}`, `--work-tree=${ws.root}`, 'diff-files', '--name-only'],
        { encoding: 'utf8' },
      );
      expect(diffFiles).toBe('');
    }
    expect((await one.diff()).changedFiles).toEqual([]);
    await two.writeFile('src/app.js', 'const a = 1;\n');
    await two.writeFile('src/added.js', 'added\n');
    expect((await two.diff()).changedFiles).toEqual(['src/added.js', 'src/app.js']);
    expect((await one.diff()).changedFiles).toEqual([]);
    // A patch applies against the shared baseline as against a private one.
    const patch = (await two.diff()).patch;
    expect(await one.applyPatch(patch)).toMatchObject({ applied: true, rejected: '', note: '' });
    expect((await one.diff()).patch).toEqual(patch);
    // Once no workspace uses it, a template beyond the number kept is removed.
    await one.dispose();
    expect(readdirSync(cacheDir)).toHaveLength(1);
    await two.dispose();
    expect(readdirSync(cacheDir)).toHaveLength(0);
    await cache.close();
  });
});

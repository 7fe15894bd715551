import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { Workspace } from '@codecrew/sandbox';
import { gitArchive, tempDir } from './helpers.ts';

const APP = [
  "import { readFile } from 'node:fs/promises';",
  '',
  'export function add(a, b) {',
  '  return a + b;',
  '}',
  '',
  'export function sub(a, b) {',
  '  return a - b;',
  '}',
  '',
  'export class Store {',
  '  get(key) {',
  '    return this.items[key];',
  '  }',
  '',
  '  set(key, value) {',
  '    this.items[key] = value;',
  '  }',
  '}',
  '',
].join('\n');

const FILES = { 'src/app.js': APP, 'src/old.js': 'gone soon\n', 'README.md': '# demo\n' };

const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ws) => ws.dispose()));
});

async function workspace(name: string, files: Record<string, string> = FILES): Promise<Workspace> {
  const ws = await Workspace.create({ parentDir: tempDir(name), tar: gitArchive(name, files) });
  open.push(ws);
  return ws;
}

const read = (ws: Workspace, path: string): string => readFileSync(join(ws.root, path), 'utf8');
const patchOf = (...lines: string[]): string => `${lines.join('\n')}\n`;

async function codeOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    if (isCodecrewError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('apply_patch with unified diffs that are not exact', () => {
  it('applies hunks whose line counts and numbers are wrong, placing them by content', async () => {
    const ws = await workspace('patch-counts');
    const patch = patchOf(
      '--- a/src/app.js',
      '+++ b/src/app.js',
      '@@ -40,2 +40,9 @@',
      ' export function sub(a, b) {',
      '-  return a - b;',
      '+  return a - b; // difference',
      ' }',
      '--- a/README.md',
      '+++ b/README.md',
      '@@ -1,1 +1,1 @@',
      '-# demo',
      '+# demo app',
    );
    const result = await ws.applyPatch(patch);
    expect(result).toMatchObject({ applied: true, files: ['src/app.js', 'README.md'], rejected: '' });
    expect(result.note).toContain('placed by their content');
    expect(read(ws, 'src/app.js')).toEqual(APP.replace('a - b;', 'a - b; // difference'));
    expect(read(ws, 'README.md')).toEqual('# demo app\n');
  });

  it('applies hunks with no line numbers at all (@@ @@)', async () => {
    const ws = await workspace('patch-bare-hunks');
    const patch = patchOf(
      '--- src/app.js',
      '+++ src/app.js',
      '@@ @@',
      '   get(key) {',
      '-    return this.items[key];',
      '+    return this.items[key] ?? null;',
      '   }',
    );
    expect(await ws.applyPatch(patch)).toMatchObject({ applied: true, rejected: '' });
    expect(read(ws, 'src/app.js')).toContain('    return this.items[key] ?? null;\n');
  });

  it("matches context lines whose whitespace differs, keeping the file's own", async () => {
    const ws = await workspace('patch-whitespace');
    const patch = patchOf(
      '--- a/src/app.js',
      '+++ b/src/app.js',
      '@@ -3,3 +3,3 @@',
      ' export function add(a, b)  {',
      '-return a + b;',
      '+  return b + a;',
      '}',
    );
    expect(await ws.applyPatch(patch)).toMatchObject({ applied: true, rejected: '' });
    expect(read(ws, 'src/app.js')).toContain('export function add(a, b) {\n  return b + a;\n}\n');
  });

  it('drops outer context lines that do not match (fuzz), down to one on each side, and says so', async () => {
    const ws = await workspace('patch-fuzz');
    const patch = patchOf(
      '--- a/src/app.js',
      '+++ b/src/app.js',
      '@@ -5,5 +5,5 @@',
      ' // a comment the model imagined',
      ' ',
      ' export function sub(a, b) {',
      '-  return a - b;',
      '+  return b - a;',
      ' }',
    );
    const result = await ws.applyPatch(patch);
    expect(result).toMatchObject({ applied: true, rejected: '' });
    expect(result.note).toContain('some context lines did not match');
    expect(read(ws, 'src/app.js')).toContain('export function sub(a, b) {\n  return b - a;\n}');
  });

  it('applies a git-only patch (a rename with a change) whose counts are wrong, with git apply --recount', async () => {
    const ws = await workspace('patch-rename');
    const patch = patchOf(
      'diff --git a/src/old.js b/src/renamed.js',
      'similarity index 50%',
      'rename from src/old.js',
      'rename to src/renamed.js',
      '--- a/src/old.js',
      '+++ b/src/renamed.js',
      '@@ -1,3 +1,3 @@',
      '-gone soon',
      '+here to stay',
    );
    const result = await ws.applyPatch(patch);
    expect(result).toMatchObject({ applied: true, rejected: '' });
    expect(read(ws, 'src/renamed.js')).toEqual('here to stay\n');
    expect(existsSync(join(ws.root, 'src/old.js'))).toEqual(false);
  });

  it("returns a hunk it cannot place with the file's actual lines where it was meant to go", async () => {
    const ws = await workspace('patch-reject');
    const patch = patchOf(
      '--- a/src/app.js',
      '+++ b/src/app.js',
      '@@ -12,3 +12,3 @@',
      '   get(key) {',
      '-    return this.entries[key];',
      '+    return this.entries.get(key);',
      '   }',
    );
    const result = await ws.applyPatch(patch);
    expect(result).toMatchObject({ applied: false, files: [] });
    expect(result.rejected).toEqual(
      [
        'src/app.js, hunk 1 did not apply: its context and removed lines are not in the file as written.',
        '@@ -12,3 +12,3 @@',
        '   get(key) {',
        '-    return this.entries[key];',
        '+    return this.entries.get(key);',
        '   }',
        "The file's actual lines 10-16:",
        '   10\t',
        '   11\texport class Store {',
        '   12\t  get(key) {',
        '   13\t    return this.items[key];',
        '   14\t  }',
        '   15\t',
        '   16\t  set(key, value) {',
      ].join('\n'),
    );
    expect(read(ws, 'src/app.js')).toEqual(APP);
  });
});

describe('apply_patch with the *** Begin Patch format', () => {
  it('updates, adds, deletes and moves files, anchored on @@ lines, without line numbers', async () => {
    const ws = await workspace('anchored');
    const patch = patchOf(
      '*** Begin Patch',
      '*** Update File: src/app.js',
      '@@ export class Store {',
      '@@   set(key, value) {',
      '-    this.items[key] = value;',
      '+    this.items[key] = String(value);',
      '*** Add File: src/util/clamp.js',
      '+export const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));',
      '*** Delete File: src/old.js',
      '*** Update File: README.md',
      '*** Move to: docs/README.md',
      '@@',
      '-# demo',
      '+# demo, moved',
      '*** End Patch',
    );
    const result = await ws.applyPatch(patch);
    expect(result).toEqual({
      applied: true,
      files: ['src/app.js', 'src/util/clamp.js', 'src/old.js', 'README.md', 'docs/README.md'],
      rejected: '',
      note: '',
    });
    expect(read(ws, 'src/app.js')).toEqual(APP.replace('this.items[key] = value;', 'this.items[key] = String(value);'));
    expect(read(ws, 'src/util/clamp.js')).toEqual(
      'export const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));\n',
    );
    expect(existsSync(join(ws.root, 'src/old.js'))).toEqual(false);
    expect(existsSync(join(ws.root, 'README.md'))).toEqual(false);
    expect(read(ws, 'docs/README.md')).toEqual('# demo, moved\n');
  });

  it('uses the anchor to choose between identical lines, and accepts the patch inside a fence or a here-document', async () => {
    const ws = await workspace('anchored-choice');
    const patch = [
      "apply_patch <<'EOF'",
      '*** Begin Patch',
      '*** Update File: src/app.js',
      '@@ export function sub(a, b) {',
      '-}',
      '+} // end of sub',
      '*** End Patch',
      'EOF',
    ].join('\n');
    expect(await ws.applyPatch(patch)).toMatchObject({ applied: true, rejected: '' });
    expect(read(ws, 'src/app.js')).toContain('  return a - b;\n} // end of sub\n');
    expect(read(ws, 'src/app.js')).toContain('  return a + b;\n}\n');
    const fenced = '```\n*** Begin Patch\n*** Update File: README.md\n-# demo\n+# fenced\n*** End Patch\n```';
    expect(await ws.applyPatch(fenced)).toMatchObject({ applied: true, rejected: '' });
    expect(read(ws, 'README.md')).toEqual('# fenced\n');
  });

  it("changes nothing when one hunk does not apply, and shows the file's actual lines for it", async () => {
    const ws = await workspace('anchored-reject');
    const patch = patchOf(
      '*** Begin Patch',
      '*** Update File: README.md',
      '-# demo',
      '+# changed',
      '*** Update File: src/app.js',
      '@@ export function add(a, b) {',
      '-  return a * b;',
      '+  return a + b + 0;',
      '*** End Patch',
    );
    const result = await ws.applyPatch(patch);
    expect(result).toMatchObject({ applied: false, files: [] });
    expect(result.rejected).toEqual(
      [
        'src/app.js, hunk 1 did not apply: its context and removed lines are not in the file as written.',
        '@@ export function add(a, b) {',
        '-  return a * b;',
        '+  return a + b + 0;',
        "The file's actual lines 2-6:",
        '    2\t',
        '    3\texport function add(a, b) {',
        '    4\t  return a + b;',
        '    5\t}',
        '    6\t',
      ].join('\n'),
    );
    expect(read(ws, 'README.md')).toEqual('# demo\n');
  });

  it('says which @@ line is missing, and refuses adding a file that exists or changing one that does not', async () => {
    const ws = await workspace('anchored-errors');
    const missingAnchor = await ws.applyPatch(
      patchOf('*** Begin Patch', '*** Update File: src/app.js', '@@ class Cache {', '-x', '+y', '*** End Patch'),
    );
    expect(missingAnchor.rejected).toContain(
      'src/app.js, hunk 1 did not apply: its @@ line "class Cache {" is not in the file.',
    );
    const exists = await ws.applyPatch(patchOf('*** Begin Patch', '*** Add File: README.md', '+x', '*** End Patch'));
    expect(exists.rejected).toEqual(
      'README.md: the patch adds this file, but it exists; change it with *** Update File (or a diff against it)',
    );
    const absent = await ws.applyPatch(
      patchOf('*** Begin Patch', '*** Update File: nope.js', '-x', '+y', '*** End Patch'),
    );
    expect(absent.rejected).toContain('nope.js: the patch changes this file, but it does not exist');
    expect(await codeOf(() => ws.applyPatch('*** Begin Patch\nsomething else\n*** End Patch\n'))).toEqual(
      'TOOL_INVALID_ARGS',
    );
  });

  it('refuses paths that leave the workspace or pass through a symlink', async () => {
    const ws = await workspace('anchored-confine');
    symlinkSync('/etc', join(ws.root, 'etc-link'));
    const outside = ['../outside.txt', '/etc/passwd', 'etc-link/passwd'];
    for (const path of outside) {
      expect(
        await codeOf(() =>
          ws.applyPatch(patchOf('*** Begin Patch', `*** Add File: ${path}`, '+owned', '*** End Patch')),
        ),
      ).toEqual('PATH_OUTSIDE_WORKSPACE');
    }
    const move = patchOf(
      '*** Begin Patch',
      '*** Update File: README.md',
      '*** Move to: ../moved.md',
      '-# demo',
      '+# moved',
      '*** End Patch',
    );
    expect(await codeOf(() => ws.applyPatch(move))).toEqual('PATH_OUTSIDE_WORKSPACE');
    expect(read(ws, 'README.md')).toEqual('# demo\n');
  });
});

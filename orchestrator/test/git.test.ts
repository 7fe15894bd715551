import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  archiveTree,
  commitPatch,
  createScratchRepo,
  diffCommits,
  hasUncommittedChanges,
  listTreeFiles,
  mergeInto,
  openUserRepo,
  readFilesAt,
  type GitRepo,
} from '../src/git/index.ts';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();
}

function makeRepo(root: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, 'user');
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'base');
  return dir;
}

/** A patch made the way a coder makes one: edit a throwaway worktree, `git diff --binary`. */
function makePatch(root: string, base: string, userDir: string, name: string, edit: (dir: string) => void): string {
  const wt = join(root, `wt-${name}`);
  git(userDir, 'worktree', 'add', '--quiet', '--detach', wt, base);
  edit(wt);
  git(wt, 'add', '-A');
  const patch = execFileSync('git', ['diff', '--cached', '--binary', base], { cwd: wt, encoding: 'utf8' });
  git(userDir, 'worktree', 'remove', '--force', wt);
  return patch;
}

function showFile(dir: string, rev: string, path: string): string {
  return execFileSync('git', ['show', `${rev}:${path}`], { cwd: dir, encoding: 'utf8' });
}

describe('git integration engine', () => {
  let root: string;
  let user: string;
  let scratch: GitRepo;
  let base: string;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-git-test-'));
    user = makeRepo(root, {
      'a.txt': 'alpha\nline2\nline3\n',
      'b.txt': 'bravo\nline2\nline3\n',
      'old.txt': 'to be deleted\n',
    });
    base = git(user, 'rev-parse', 'HEAD');
    scratch = await createScratchRepo(join(user, '.git'), join(root, 'scratch'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('openUserRepo resolves the base commit and the common git dir; uncommitted changes are told apart without writing', async () => {
    const clean = await openUserRepo(user);
    expect({ root: clean.root, commonDir: clean.commonDir, baseCommit: clean.baseCommit, ref: clean.ref }).toEqual({
      root: user,
      commonDir: join(user, '.git'),
      baseCommit: base,
      ref: 'HEAD',
    });
    expect(await hasUncommittedChanges(clean.root)).toEqual(false);
    const index = statSync(join(user, '.git', 'index')).mtimeMs;
    writeFileSync(join(user, 'a.txt'), 'changed\n');
    const dirty = await openUserRepo(join(user), 'main');
    expect(dirty.baseCommit).toEqual(base);
    expect(await hasUncommittedChanges(dirty.root)).toEqual(true);
    expect(statSync(join(user, '.git', 'index')).mtimeMs).toEqual(index);
  });

  it("createScratchRepo makes a bare repository that reads the user's objects", async () => {
    expect((await scratch.run(['rev-parse', '--is-bare-repository'])).stdout.trim()).toEqual('true');
    expect((await scratch.run(['cat-file', '-t', base])).stdout.trim()).toEqual('commit');
    expect((await scratch.run(['config', 'gc.auto'])).stdout.trim()).toEqual('0');
  });

  it('openUserRepo rejects a non-repository, an unknown ref and a repo without commits', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    await expect(openUserRepo(plain)).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('git init'),
    });
    await expect(openUserRepo(user, 'no-such-branch')).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining("ref 'no-such-branch' does not name a commit"),
    });
    const empty = join(root, 'empty');
    mkdirSync(empty);
    git(empty, 'init', '--quiet');
    await expect(openUserRepo(empty)).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('no commits yet'),
    });
    await expect(openUserRepo(join(root, 'missing'))).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('is not a directory'),
    });
    await expect(openUserRepo(join(user, 'a.txt'))).rejects.toMatchObject({
      code: 'REPO_INVALID',
      message: expect.stringContaining('is not a directory'),
    });
  });

  it('readFilesAt reads several files of a commit in one go and leaves out missing paths and directories', async () => {
    mkdirSync(join(user, 'dir'));
    writeFileSync(join(user, 'dir', 'bin.dat'), Buffer.from([0, 10, 255, 10, 10]));
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'more');
    const head = git(user, 'rev-parse', 'HEAD');
    const found = await readFilesAt(scratch, head, ['a.txt', 'missing.txt', 'dir', 'dir/bin.dat', 'b.txt']);
    expect([...found.keys()]).toEqual(['a.txt', 'dir/bin.dat', 'b.txt']);
    expect(found.get('a.txt')?.toString('utf8')).toEqual('alpha\nline2\nline3\n');
    expect([...(found.get('dir/bin.dat') ?? [])]).toEqual([0, 10, 255, 10, 10]);
    expect(found.get('b.txt')?.toString('utf8')).toEqual('bravo\nline2\nline3\n');
  });

  it('GitRepo.revParse gives the full sha and REPO_INVALID for unknown refs', async () => {
    expect(await scratch.revParse(base)).toEqual(base);
    await expect(scratch.revParse('refs/heads/nope')).rejects.toMatchObject({ code: 'REPO_INVALID' });
  });

  it('two patches touching different files merge cleanly in order, linearly', async () => {
    const p1 = makePatch(root, base, user, 'one', (d) => writeFileSync(join(d, 'a.txt'), 'alpha ONE\nline2\nline3\n'));
    const p2 = makePatch(root, base, user, 'two', (d) => writeFileSync(join(d, 'b.txt'), 'bravo TWO\nline2\nline3\n'));
    const c1 = await commitPatch(scratch, base, p1, 'subtask one');
    const c2 = await commitPatch(scratch, base, p2, 'subtask two');

    const m1 = await mergeInto(scratch, { integration: base, candidate: c1, mergeBase: base, message: 'merge one' });
    expect({ clean: m1.clean, conflicts: m1.conflicts }).toEqual({ clean: true, conflicts: [] });
    const m2 = await mergeInto(scratch, {
      integration: m1.commit ?? '',
      candidate: c2,
      mergeBase: base,
      message: 'merge two',
    });
    expect({ clean: m2.clean, conflicts: m2.conflicts }).toEqual({ clean: true, conflicts: [] });

    const head = m2.commit ?? '';
    expect(git(join(root, 'scratch'), 'rev-list', '--parents', head).split('\n')).toEqual([
      `${head} ${m1.commit}`,
      `${m1.commit} ${base}`,
      base,
    ]);
    expect(showFile(join(root, 'scratch'), head, 'a.txt')).toEqual('alpha ONE\nline2\nline3\n');
    expect(showFile(join(root, 'scratch'), head, 'b.txt')).toEqual('bravo TWO\nline2\nline3\n');
    const diff = await diffCommits(scratch, base, head);
    expect(diff.files).toEqual([
      { path: 'a.txt', added: 1, deleted: 1, status: 'modified', binary: false },
      { path: 'b.txt', added: 1, deleted: 1, status: 'modified', binary: false },
    ]);
  });

  it('diffCommits gives the patch git diff gives, and each file with its status and counts', async () => {
    const patch = makePatch(root, base, user, 'all', (d) => {
      writeFileSync(join(d, 'a.txt'), 'alpha\nline2 changed\nline3\nline4\n');
      rmSync(join(d, 'old.txt'));
      writeFileSync(join(d, 'new name.txt'), 'with a space\n');
      writeFileSync(join(d, 'image.bin'), Buffer.from([0, 1, 2, 255]));
    });
    const head = await commitPatch(scratch, base, patch, 'all kinds');
    const diff = await diffCommits(scratch, base, head);
    const expected = execFileSync(
      'git',
      ['diff', '--binary', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', base, head, '--'],
      { cwd: join(root, 'scratch'), encoding: 'utf8' },
    );
    expect(diff.patch).toEqual(expected);
    expect(diff.files).toEqual([
      { path: 'a.txt', added: 2, deleted: 1, status: 'modified', binary: false },
      { path: 'image.bin', added: 0, deleted: 0, status: 'added', binary: true },
      { path: 'new name.txt', added: 1, deleted: 0, status: 'added', binary: false },
      { path: 'old.txt', added: 0, deleted: 1, status: 'deleted', binary: false },
    ]);
    expect(await diffCommits(scratch, base, base)).toEqual({ patch: '', files: [] });
  });

  it('a later wave merges against the state it started from, not the original base', async () => {
    const p1 = makePatch(root, base, user, 'one', (d) => writeFileSync(join(d, 'a.txt'), 'alpha ONE\nline2\nline3\n'));
    const c1 = await commitPatch(scratch, base, p1, 'one');
    const m1 = await mergeInto(scratch, { integration: base, candidate: c1, mergeBase: base, message: 'merge one' });
    const state1 = m1.commit ?? '';
    // Wave 2 starts from state1; meanwhile another wave-1 patch lands on the integration branch.
    const p2 = makePatch(root, base, user, 'two', (d) => writeFileSync(join(d, 'b.txt'), 'bravo TWO\nline2\nline3\n'));
    const m2 = await mergeInto(scratch, {
      integration: state1,
      candidate: await commitPatch(scratch, base, p2, 'two'),
      mergeBase: base,
      message: 'merge two',
    });
    // The coder's patch is made against state1 (which only the scratch repo holds).
    const p3 =
      'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n alpha ONE\n line2\n-line3\n+line3 THREE\n';
    const c3 = await commitPatch(scratch, state1, p3, 'three');
    const m3 = await mergeInto(scratch, {
      integration: m2.commit ?? '',
      candidate: c3,
      mergeBase: state1,
      message: 'merge three',
    });
    expect({ clean: m3.clean, conflicts: m3.conflicts }).toEqual({ clean: true, conflicts: [] });
    const head = m3.commit ?? '';
    expect(showFile(join(root, 'scratch'), head, 'a.txt')).toEqual('alpha ONE\nline2\nline3 THREE\n');
    expect(showFile(join(root, 'scratch'), head, 'b.txt')).toEqual('bravo TWO\nline2\nline3\n');
  });

  it('two patches changing the same lines conflict with the path and markers', async () => {
    const p1 = makePatch(root, base, user, 'one', (d) => writeFileSync(join(d, 'a.txt'), 'alpha ONE\nline2\nline3\n'));
    const p2 = makePatch(root, base, user, 'two', (d) => writeFileSync(join(d, 'a.txt'), 'alpha TWO\nline2\nline3\n'));
    const c1 = await commitPatch(scratch, base, p1, 'one');
    const c2 = await commitPatch(scratch, base, p2, 'two');
    const m1 = await mergeInto(scratch, { integration: base, candidate: c1, mergeBase: base, message: 'merge one' });
    const m2 = await mergeInto(scratch, {
      integration: m1.commit ?? '',
      candidate: c2,
      mergeBase: base,
      message: 'merge two',
    });
    expect(m2.clean).toEqual(false);
    expect(m2.commit).toEqual(undefined);
    expect(m2.conflicts).toEqual([{ path: 'a.txt', kind: 'contents' }]);
    const text = m2.conflictFiles?.['a.txt'] ?? '';
    expect(text.replace(/^(<{7}|>{7}) .*$/gm, '$1')).toEqual(
      '<<<<<<<\nalpha ONE\n=======\nalpha TWO\n>>>>>>>\nline2\nline3\n',
    );
    expect(m2.messages).toContain('CONFLICT (content): Merge conflict in a.txt');
  });

  it('reports a modify/delete conflict', async () => {
    const p1 = makePatch(root, base, user, 'one', (d) => rmSync(join(d, 'old.txt')));
    const p2 = makePatch(root, base, user, 'two', (d) => writeFileSync(join(d, 'old.txt'), 'edited\n'));
    const c1 = await commitPatch(scratch, base, p1, 'one');
    const c2 = await commitPatch(scratch, base, p2, 'two');
    const m1 = await mergeInto(scratch, { integration: base, candidate: c1, mergeBase: base, message: 'merge one' });
    const m2 = await mergeInto(scratch, {
      integration: m1.commit ?? '',
      candidate: c2,
      mergeBase: base,
      message: 'merge two',
    });
    expect({ clean: m2.clean, conflicts: m2.conflicts, files: m2.conflictFiles }).toEqual({
      clean: false,
      conflicts: [{ path: 'old.txt', kind: 'modify/delete' }],
      files: { 'old.txt': 'edited\n' },
    });
  });

  it('a patch with a new, a deleted and a binary file round-trips', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0x00, 0x7f]);
    const patch = makePatch(root, base, user, 'mixed', (d) => {
      mkdirSync(join(d, 'src'));
      writeFileSync(join(d, 'src', 'new.ts'), 'export const x = 1;\n');
      rmSync(join(d, 'old.txt'));
      writeFileSync(join(d, 'logo.png'), png);
    });
    const commit = await commitPatch(scratch, base, patch, 'mixed change');
    expect(git(join(root, 'scratch'), 'rev-parse', `${commit}^`)).toEqual(base);
    const diff = await diffCommits(scratch, base, commit);
    expect(diff.files).toEqual([
      { path: 'logo.png', added: 0, deleted: 0, status: 'added', binary: true },
      { path: 'old.txt', added: 0, deleted: 1, status: 'deleted', binary: false },
      { path: 'src/new.ts', added: 1, deleted: 0, status: 'added', binary: false },
    ]);
    // Re-applying the produced diff to the base yields the identical tree.
    const again = await commitPatch(scratch, base, diff.patch, 'again');
    expect(git(join(root, 'scratch'), 'rev-parse', `${again}^{tree}`)).toEqual(
      git(join(root, 'scratch'), 'rev-parse', `${commit}^{tree}`),
    );
    const blob = execFileSync('git', ['cat-file', 'blob', `${again}:logo.png`], { cwd: join(root, 'scratch') });
    expect(Buffer.compare(blob, png)).toEqual(0);
    // The archive carries the new tree.
    const tar = await archiveTree(scratch, again);
    const out = join(root, 'untar');
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out], { input: tar });
    expect(readFileSync(join(out, 'src', 'new.ts'), 'utf8')).toEqual('export const x = 1;\n');
    expect(Buffer.compare(readFileSync(join(out, 'logo.png')), png)).toEqual(0);
  });

  it('commitPatch returns base for an empty patch and MERGE_CONFLICT for one that does not apply', async () => {
    expect(await commitPatch(scratch, base, '', 'nothing')).toEqual(base);
    const patch = makePatch(root, base, user, 'one', (d) =>
      writeFileSync(join(d, 'a.txt'), 'alpha ONE\nline2\nline3\n'),
    );
    const moved = await commitPatch(scratch, base, patch, 'one');
    await expect(commitPatch(scratch, moved, patch, 'again')).rejects.toMatchObject({
      code: 'MERGE_CONFLICT',
      message: expect.stringContaining('a.txt'),
    });
    await expect(commitPatch(scratch, base, 'this is not a diff\n', 'bad')).rejects.toMatchObject({
      code: 'GIT_FAILED',
    });
  });

  it('archives from the scratch repo are verbatim despite export attributes', async () => {
    writeFileSync(
      join(user, '.gitattributes'),
      'hidden.txt export-ignore\nver.txt export-subst\n*.txt text eol=crlf\n',
    );
    writeFileSync(join(user, 'hidden.txt'), 'kept\n');
    writeFileSync(join(user, 'ver.txt'), 'v $Format:%H$\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'attrs');
    const tar = await archiveTree(scratch, git(user, 'rev-parse', 'HEAD'));
    const out = join(root, 'untar-attrs');
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out], { input: tar });
    expect(readFileSync(join(out, 'hidden.txt'), 'utf8')).toEqual('kept\n');
    expect(readFileSync(join(out, 'ver.txt'), 'utf8')).toEqual('v $Format:%H$\n');
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toEqual('alpha\nline2\nline3\n');
  });

  it('openUserRepo finds the top of the checkout from a subdirectory and from a linked worktree, and tells an empty commit', async () => {
    const opened = await openUserRepo(user);
    mkdirSync(join(user, 'sub'));
    writeFileSync(join(user, 'sub', 'in.txt'), 'inside\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'sub');
    const head = git(user, 'rev-parse', 'HEAD');
    const fromSub = await openUserRepo(join(user, 'sub'));
    expect({
      root: fromSub.root,
      commonDir: fromSub.commonDir,
      baseCommit: fromSub.baseCommit,
      emptyTree: fromSub.emptyTree,
    }).toEqual({
      root: opened.root,
      commonDir: opened.commonDir,
      baseCommit: head,
      emptyTree: false,
    });
    // The whole tree is listed, not the subdirectory's part of it.
    expect(await listTreeFiles(scratch, head)).toEqual(['a.txt', 'b.txt', 'old.txt', 'sub/in.txt']);
    const wt = join(root, 'linked');
    git(user, 'worktree', 'add', '--quiet', '--detach', wt, base);
    const linked = await openUserRepo(wt);
    expect({ baseCommit: linked.baseCommit, commonDir: linked.commonDir }).toEqual({
      baseCommit: base,
      commonDir: join(user, '.git'),
    });
    const empty = join(root, 'empty');
    mkdirSync(empty);
    git(empty, 'init', '--quiet');
    git(empty, 'commit', '--quiet', '--allow-empty', '-m', 'nothing');
    expect((await openUserRepo(empty)).emptyTree).toBe(true);
  });

  it('the scratch repo never writes into the user repo', async () => {
    const patch = makePatch(root, base, user, 'one', (d) => writeFileSync(join(d, 'c.txt'), 'new file\n'));
    const afterPatch = git(user, 'count-objects', '-v');
    await commitPatch(scratch, base, patch, 'one');
    expect(git(user, 'count-objects', '-v')).toEqual(afterPatch);
  });
});

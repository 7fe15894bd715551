import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitBlobId } from '@codecrew/core';
import {
  GitRepo,
  PathSet,
  commitChain,
  commitPatch,
  createScratchRepo,
  mergeInto,
  treeChanges,
} from '../src/git/index.ts';
import { FastLane } from '../src/graph/fast-lane.ts';
import type { PatchCandidate } from '../src/graph/state.ts';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
};
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();

/** A patch against `base` made in a throwaway worktree, as a coder makes one. */
function patchOf(user: string, base: string, name: string, edit: (dir: string) => void): string {
  const wt = join(user, '..', `wt-${name}`);
  git(user, 'worktree', 'add', '--quiet', '--detach', wt, base);
  edit(wt);
  git(wt, 'add', '-A');
  const patch = execFileSync('git', ['diff', '--cached', '--binary', base], { cwd: wt, encoding: 'utf8' });
  git(user, 'worktree', 'remove', '--force', wt);
  return patch;
}

const write = (dir: string, path: string, text: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
};

describe('PathSet', () => {
  it('sees the same path, a file under a file, and a directory holding a file', () => {
    const set = new PathSet(['src/a.js', 'lib']);
    expect(set.overlaps('src/a.js')).toBe(true);
    expect(set.overlaps('src')).toBe(true); // a file where the other side has a directory
    expect(set.overlaps('lib/x.js')).toBe(true); // below a path the other side made a file
    expect(set.overlaps('src/b.js')).toBe(false);
    expect(set.overlaps('src/a.js.bak')).toBe(false);
    expect(set.overlaps('li')).toBe(false);
  });
});

describe('the fast lane of the merge train', () => {
  let root: string;
  let user: string;
  let scratch: GitRepo;
  let base: string;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-lane-test-'));
    user = join(root, 'user');
    mkdirSync(user);
    git(user, 'init', '--quiet', '--initial-branch=main');
    write(user, 'shared.txt', 'one\ntwo\nthree\n');
    write(user, 'dir/old.txt', 'old\n');
    write(user, 'keep.txt', 'keep\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'base');
    base = git(user, 'rev-parse', 'HEAD');
    scratch = await createScratchRepo(join(user, '.git'), join(root, 'scratch.git'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function candidate(id: string, edit: (dir: string) => void, startCommit = base): Promise<PatchCandidate> {
    const commit = await commitPatch(scratch, startCommit, patchOf(user, startCommit, id, edit), id);
    return {
      subtaskId: id,
      jobId: `job-${id}`,
      kind: 'implement',
      round: 0,
      startCommit,
      mergeBase: startCommit,
      patch: { name: id, size: 1 },
      summary: id,
      changedFiles: [],
      commit,
      changes: await treeChanges(scratch, startCommit, commit),
    };
  }

  /** Merges the candidates one by one with git's 3-way merge: what the lane must equal. */
  async function slowTrain(candidates: PatchCandidate[]): Promise<string> {
    let integration = base;
    for (const c of candidates) {
      const outcome = await mergeInto(scratch, {
        integration,
        candidate: c.commit as string,
        mergeBase: c.mergeBase,
        message: c.subtaskId,
      });
      expect(outcome.clean).toBe(true);
      integration = outcome.commit as string;
    }
    return git(scratch.dir, 'rev-parse', `${integration}^{tree}`);
  }

  it('commits disjoint candidates in one go, to the tree git merge makes, one commit each', async () => {
    const candidates = [
      await candidate('s1', (wt) => write(wt, 'src/new one.js', 'export const one = 1;\n')),
      await candidate('s2', (wt) => {
        rmSync(join(wt, 'dir'), { recursive: true });
        write(wt, 'dir', 'a file where a directory was\n');
      }),
      await candidate('s3', (wt) => write(wt, 'quote"and\\tab\t.txt', 'odd name\n')),
      await candidate('s4', (wt) => rmSync(join(wt, 'keep.txt'))),
    ];
    const lane = new FastLane(scratch, base);
    const landed: string[] = [];
    for (const c of candidates) {
      expect(await lane.accepts(c)).toBe(true);
      lane.add(c.changes ?? [], `merge ${c.subtaskId}`, (commit) => landed.push(commit));
    }
    const head = await lane.flush();
    expect(landed).toHaveLength(4);
    expect(landed[3]).toBe(head);
    expect(git(scratch.dir, 'rev-parse', `${head}^{tree}`)).toBe(await slowTrain(candidates));
    // One commit per candidate, each holding exactly that candidate's change, in order.
    expect(git(scratch.dir, 'rev-list', '--reverse', `${base}..${head}`).split('\n')).toEqual(landed);
    expect(git(scratch.dir, 'diff-tree', '--no-commit-id', '--name-only', '-r', landed[0] as string)).toBe(
      'src/new one.js',
    );
    expect(git(scratch.dir, 'log', '-1', '--format=%s', landed[1] as string)).toBe('merge s2');
  });

  it('sends a candidate whose paths another one changed to git merge', async () => {
    const first = await candidate('s1', (wt) => write(wt, 'shared.txt', 'ONE\ntwo\nthree\n'));
    const second = await candidate('s2', (wt) => write(wt, 'shared.txt', 'one\ntwo\nTHREE\n'));
    const inside = await candidate('s3', (wt) => {
      rmSync(join(wt, 'shared.txt'));
      write(wt, 'shared.txt/sub.txt', 'x\n');
    });
    const lane = new FastLane(scratch, base);
    expect(await lane.accepts(first)).toBe(true);
    lane.add(first.changes ?? [], 'merge s1', () => undefined);
    expect(await lane.accepts(second)).toBe(false);
    expect(await lane.accepts(inside)).toBe(false);
    const head = await lane.flush();
    const outcome = await mergeInto(scratch, {
      integration: head,
      candidate: second.commit as string,
      mergeBase: base,
      message: 's2',
    });
    expect(outcome.clean).toBe(true);
    expect(git(scratch.dir, 'show', `${outcome.commit}:shared.txt`)).toBe('ONE\ntwo\nTHREE');
  });

  it('compares with the integration as it is, for a candidate started from an older tree', async () => {
    const earlier = await candidate('s1', (wt) => write(wt, 'a.txt', 'a\n'));
    const lane = new FastLane(scratch, base);
    lane.add(earlier.changes ?? [], 'merge s1', () => undefined);
    const head = await lane.flush();
    // Started from the base, before s1 was merged: s1's path counts as changed since.
    const late = await candidate('s2', (wt) => write(wt, 'a.txt', 'other\n'));
    const apart = await candidate('s3', (wt) => write(wt, 'b.txt', 'b\n'));
    const fresh = new FastLane(scratch, head);
    expect(await fresh.accepts(late)).toBe(false);
    expect(await fresh.accepts(apart)).toBe(true);
    expect(await fresh.accepts({ ...apart, kind: 'resolve' })).toBe(false);
    const { changes: _omitted, ...unlanded } = apart;
    expect(await fresh.accepts(unlanded)).toBe(false);
  });

  it('commitChain writes blobs it is given the bytes of', async () => {
    const data = Buffer.from('#!/bin/sh\necho new\n');
    const [commit] = await commitChain(scratch, base, [
      {
        message: 'inline',
        changes: [
          { path: 'bin/run', mode: '100755', blob: gitBlobId(data), data },
          { path: 'keep.txt', mode: null, blob: null },
        ],
      },
    ]);
    expect(git(scratch.dir, 'show', `${commit}:bin/run`)).toBe('#!/bin/sh\necho new');
    expect(git(scratch.dir, 'ls-tree', commit as string, 'bin/run')).toContain(`100755 blob ${gitBlobId(data)}`);
    expect(git(scratch.dir, 'ls-tree', '--name-only', commit as string)).not.toContain('keep.txt');
  });

  it('commitChain writes nothing for no steps', async () => {
    expect(await commitChain(scratch, base, [])).toEqual([]);
  });
});

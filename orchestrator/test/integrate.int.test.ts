import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TaskSpec, type Plan } from '@codecrew/core';
import { connectBus, type Bus } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import { createScratchRepo } from '../src/git/index.ts';
import { loadConfig } from '../src/config/load.ts';
import { resolveTask } from '../src/task/resolve.ts';
import { TaskBudget } from '../src/graph/budget.ts';
import { Slots } from '../src/graph/slots.ts';
import { landCandidate } from '../src/graph/candidate.ts';
import { newTaskCache, type GraphDeps } from '../src/graph/deps.ts';
import { integrateNode } from '../src/graph/nodes/integrate.ts';
import {
  emptyTaskState,
  type MergeRecord,
  type PatchCandidate,
  type SubtaskState,
  type TaskStateValue,
} from '../src/graph/state.ts';

/** What the merge train hands the graph (its update as plain values). */
interface MergeUpdate {
  integration: string;
  merges: MergeRecord[];
  subtasks: Record<string, Partial<SubtaskState>>;
  candidates: null;
}
const integrate = async (state: TaskStateValue, deps: GraphDeps) => (await integrateNode(state, deps)) as MergeUpdate;

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
function patchOf(repo: string, base: string, name: string, files: Record<string, string>): string {
  const wt = join(repo, '..', `wt-${name}`);
  git(repo, 'worktree', 'add', '--quiet', '--detach', wt, base);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(wt, path, '..'), { recursive: true });
    writeFileSync(join(wt, path), text);
  }
  git(wt, 'add', '-A');
  const patch = execFileSync('git', ['diff', '--cached', '--binary', base], { cwd: wt, encoding: 'utf8' });
  git(repo, 'worktree', 'remove', '--force', wt);
  return patch;
}

const subtask = (id: string, depends_on: string[] = []) => ({
  id,
  title: `Do ${id}`,
  description: id,
  files: [`${id}.txt`],
  depends_on,
});
const pending = (id: string): SubtaskState => ({
  id,
  title: `Do ${id}`,
  status: 'running',
  summary: '',
  changedFiles: [],
  error: null,
  conflictTries: 0,
  next: null,
});

describe('integrate: the merge train', () => {
  let nats: Awaited<ReturnType<typeof startNats>>;
  let bus: Bus;
  let root: string;
  let user: string;
  let base: string;
  let state: TaskStateValue;
  let deps: GraphDeps;
  let events: string[];

  beforeAll(async () => {
    nats = await startNats('integrate node');
    bus = await connectBus({ servers: nats.url, name: 'integrate-test', prefix: testPrefix('integrate node') });
  });
  afterAll(async () => {
    await bus?.close();
    await nats?.stop();
  });

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-integrate-test-'));
    user = join(root, 'user');
    mkdirSync(user);
    git(user, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(user, 'shared.txt'), 'one\ntwo\nthree\n');
    git(user, 'add', '-A');
    git(user, 'commit', '--quiet', '-m', 'base');
    base = git(user, 'rev-parse', 'HEAD');
    const scratchDir = join(root, 'scratch.git');
    await createScratchRepo(join(user, '.git'), scratchDir);
    const spec = TaskSpec.parse({
      apiVersion: 'codecrew/v1',
      kind: 'Task',
      metadata: { name: 'merge' },
      spec: { repo: { path: user }, prompt: 'p' },
    });
    const task = resolveTask(spec, loadConfig({}), { specDir: root });
    state = { ...emptyTaskState(task), scratchDir, baseCommit: base, integration: base, repoRoot: user };
    events = [];
    deps = {
      bus,
      emit: (_kind, message) => void events.push(message),
      signal: new AbortController().signal,
      budget: new TaskBudget(task.budget),
      coderSlots: new Slots(2),
      cache: newTaskCache(),
      resumed: false,
    };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A coder's candidate for `id`, landed as the code node lands it. */
  async function candidate(
    id: string,
    files: Record<string, string>,
    from = base,
    kind: PatchCandidate['kind'] = 'implement',
  ): Promise<PatchCandidate> {
    // Made in the scratch repository, which holds the merge train's commits and borrows the user's objects.
    const patch = patchOf(state.scratchDir, from, `${id}-${kind}`, files);
    const ref =
      patch === ''
        ? null
        : await bus.putArtifact(`tasks/${state.task.taskId}/patches/${id}-${kind}.diff`, Buffer.from(patch));
    const raw: PatchCandidate = {
      subtaskId: id,
      jobId: `job-${id}-${kind}`,
      kind,
      round: 0,
      startCommit: from,
      mergeBase: from,
      patch: ref,
      summary: id,
      changedFiles: Object.keys(files),
    };
    return landCandidate(deps, state.scratchDir, raw);
  }

  function withPlan(subtasks: Plan['subtasks']): void {
    state.taskPlan = { summary: 'plan', subtasks };
    state.subtasks = Object.fromEntries(subtasks.map((s) => [s.id, pending(s.id)]));
  }

  it('merges candidates that touch different files in plan order, one commit each, whatever order they arrived in', async () => {
    withPlan([subtask('a'), subtask('b')]);
    state.candidates = [await candidate('b', { 'b.txt': 'bee\n' }), await candidate('a', { 'a.txt': 'ay\n' })];
    const update = await integrate(state, deps);
    expect(update.merges?.map((m) => [m.subtaskId, m.status])).toEqual([
      ['a', 'clean'],
      ['b', 'clean'],
    ]);
    const head = update.integration as string;
    expect(git(state.scratchDir, 'log', '--format=%s', `${base}..${head}`).split('\n')).toEqual([
      'codecrew: merge b (implement, round 0)',
      'codecrew: merge a (implement, round 0)',
    ]);
    expect(update.merges?.at(-1)?.commit).toBe(head);
    expect(git(state.scratchDir, 'show', `${head}:a.txt`)).toBe('ay');
    expect(git(state.scratchDir, 'show', `${head}:b.txt`)).toBe('bee');
    expect(update.subtasks?.a?.status).toBe('merged');
    expect(update.subtasks?.b).toMatchObject({ status: 'merged', changedFiles: ['b.txt'] });
    expect(update.candidates).toBeNull();
  });

  it('sends a conflict to a resolver that starts from the tree with conflict markers, and re-runs the subtask when the resolver leaves markers', async () => {
    withPlan([subtask('a'), subtask('b')]);
    state.candidates = [
      await candidate('a', { 'shared.txt': 'one\nTWO by a\nthree\n' }),
      await candidate('b', { 'shared.txt': 'one\nTWO by b\nthree\n' }),
    ];
    const first = await integrate(state, deps);
    expect(first.merges?.map((m) => [m.subtaskId, m.status])).toEqual([
      ['a', 'clean'],
      ['b', 'conflict'],
    ]);
    const next = first.subtasks?.b?.next;
    expect(first.subtasks?.b).toMatchObject({ status: 'conflict', conflictTries: 1 });
    expect(next).toMatchObject({ kind: 'resolve', mergeBase: first.integration });
    const markers = git(state.scratchDir, 'show', `${next?.startCommit}:shared.txt`);
    expect(markers).toMatch(/^<{7} /m);
    expect(markers).toContain('TWO by a');
    expect(markers).toContain('TWO by b');

    // The resolver hands back a tree that still has markers: the subtask runs again from the integrated tree.
    const resolved = {
      ...state,
      integration: first.integration as string,
      subtasks: {
        ...state.subtasks,
        a: { ...pending('a'), status: 'merged' as const },
        b: { ...pending('b'), status: 'conflict' as const, conflictTries: 1 },
      },
    };
    const resolver = await candidate('b', { 'shared.txt': `${markers}\n` }, next?.startCommit as string, 'resolve');
    const second = await integrate(
      { ...resolved, candidates: [{ ...resolver, mergeBase: first.integration as string }] },
      deps,
    );
    expect(second.subtasks?.b).toMatchObject({
      status: 'conflict',
      conflictTries: 2,
      next: { kind: 'implement', startCommit: '' },
    });
    expect(second.integration).toBe(first.integration);
  });

  it('counts a candidate without changes as merged, and skips the subtasks that depend on a failed one', async () => {
    withPlan([subtask('a'), subtask('b'), subtask('c', ['b'])]);
    state.subtasks.b = { ...pending('b'), status: 'failed' };
    state.subtasks.c = { ...pending('c'), status: 'pending' };
    state.candidates = [await candidate('a', {})];
    const update = await integrate(state, deps);
    expect(update.merges?.map((m) => [m.subtaskId, m.status])).toEqual([['a', 'empty']]);
    expect(update.integration).toBe(base);
    expect(update.subtasks?.a?.status).toBe('merged');
    expect(update.subtasks?.c).toMatchObject({
      status: 'skipped',
      error: 'skipped: it depends on b, which did not succeed',
    });
    expect(events).toContain('c: skipped because b did not succeed');
  });
});

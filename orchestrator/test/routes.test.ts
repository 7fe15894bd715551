import { describe, expect, it } from 'vitest';
import { Send } from '@langchain/langgraph';
import type { Plan } from '@codecrew/core';
import {
  afterIntegrate,
  afterReview,
  afterTest,
  globToRegExp,
  ownerOf,
  readySubtasks,
  testFailureOwners,
} from '../src/graph/routes.ts';
import { emptyTaskState, type SubtaskState, type TaskStateValue } from '../src/graph/state.ts';

const plan: Plan = {
  summary: 'p',
  subtasks: [
    { id: 'a', title: 'A', description: '', files: ['src/a/**'], depends_on: [] },
    { id: 'b', title: 'B', description: '', files: ['src/b.js', 'test/*.test.js'], depends_on: [] },
    { id: 'c', title: 'C', description: '', files: ['src/index.js'], depends_on: ['a', 'b'] },
  ],
};

function subtask(id: string, status: SubtaskState['status'], changedFiles: string[] = []): SubtaskState {
  return { id, title: id.toUpperCase(), status, summary: '', changedFiles, error: null, conflictTries: 0, next: null };
}

function state(overrides: Partial<TaskStateValue>): TaskStateValue {
  const task = { reviewRounds: 2, testCommand: 'npm test' } as TaskStateValue['task'];
  return {
    ...emptyTaskState(task),
    baseCommit: 'base',
    integration: 'int1',
    scratchDir: '/tmp/x',
    testCommandSource: 'spec',
    taskPlan: plan,
    subtasks: { a: subtask('a', 'pending'), b: subtask('b', 'pending'), c: subtask('c', 'pending') },
    ...overrides,
  };
}

describe('globToRegExp', () => {
  it('matches globs the way plans use them', () => {
    expect(globToRegExp('src/**').test('src/a/b/c.ts')).toBe(true);
    expect(globToRegExp('src/**/x.ts').test('src/x.ts')).toBe(true);
    expect(globToRegExp('test/*.test.js').test('test/a.test.js')).toBe(true);
    expect(globToRegExp('test/*.test.js').test('test/deep/a.test.js')).toBe(false);
    expect(globToRegExp('src/b.js').test('src/bxjs')).toBe(false);
  });
});

describe('waves', () => {
  it('starts subtasks whose dependencies are merged, in plan order', () => {
    expect(readySubtasks(state({}))).toEqual(['a', 'b']);
    expect(
      readySubtasks(
        state({ subtasks: { a: subtask('a', 'merged'), b: subtask('b', 'pending'), c: subtask('c', 'pending') } }),
      ),
    ).toEqual(['b']);
    expect(
      readySubtasks(
        state({ subtasks: { a: subtask('a', 'merged'), b: subtask('b', 'merged'), c: subtask('c', 'pending') } }),
      ),
    ).toEqual(['c']);
  });

  it('sends the next wave from the integrated tree, then the tests', () => {
    const next = afterIntegrate(
      state({ subtasks: { a: subtask('a', 'merged'), b: subtask('b', 'merged'), c: subtask('c', 'pending') } }),
    );
    expect(Array.isArray(next)).toBe(true);
    const sends = next as Send[];
    expect(sends.map((s) => [s.node, (s.args as { assignment: unknown }).assignment])).toEqual([
      ['code', { subtaskId: 'c', kind: 'implement', instructions: '', round: 0, startCommit: 'int1' }],
    ]);
    const done = { a: subtask('a', 'merged'), b: subtask('b', 'merged'), c: subtask('c', 'merged') };
    expect(afterIntegrate(state({ subtasks: done }))).toBe('test');
    const failed = { a: subtask('a', 'failed'), b: subtask('b', 'failed'), c: subtask('c', 'skipped') };
    expect(afterIntegrate(state({ subtasks: failed, integration: 'base' }))).toBe('finalize');
  });
});

describe('review routing', () => {
  const merged = {
    a: subtask('a', 'merged', ['src/a/x.js']),
    b: subtask('b', 'merged', ['src/b.js']),
    c: subtask('c', 'merged', ['src/index.js']),
  };

  it('finds the owner of a file: who changed it, else whose globs match, else the first merged', () => {
    const s = state({ subtasks: merged });
    expect(ownerOf('src/b.js', s)).toBe('b');
    expect(ownerOf('test/b.test.js', s)).toBe('b');
    expect(ownerOf('README.md', s)).toBe('a');
  });

  it('routes each comment to its owner for one more round, within maxRounds', () => {
    const review = {
      verdict: 'request_changes' as const,
      summary: 'two issues',
      comments: [
        { path: 'src/b.js', line: 3, severity: 'major' as const, body: 'handle empty input' },
        { path: 'src/index.js', severity: 'minor' as const, body: 'sort the exports' },
      ],
    };
    const sends = afterReview(state({ subtasks: merged, lastReview: review, round: 0 })) as Send[];
    expect(
      sends.map((s) => (s.args as { assignment: { subtaskId: string; kind: string; round: number } }).assignment),
    ).toMatchObject([
      { subtaskId: 'b', kind: 'fix', round: 1 },
      { subtaskId: 'c', kind: 'fix', round: 1 },
    ]);
    expect((sends[0]?.args as { assignment: { instructions: string } }).assignment.instructions).toContain(
      '- src/b.js:3 [major] handle empty input',
    );
    expect(afterReview(state({ subtasks: merged, lastReview: review, round: 2 }))).toBe('finalize');
    expect(afterReview(state({ subtasks: merged, lastReview: { ...review, verdict: 'approve' } }))).toBe('finalize');
  });
});

describe('overlapping files', () => {
  it('holds a subtask back until the one it overlaps has finished', () => {
    const ordering = [{ subtaskId: 'b', after: 'a', reason: 'both may touch src/a.js' }];
    expect(readySubtasks(state({ ordering }))).toEqual(['a']);
    const aMerged = { a: subtask('a', 'merged'), b: subtask('b', 'pending'), c: subtask('c', 'pending') };
    expect(readySubtasks(state({ ordering, subtasks: aMerged }))).toEqual(['b']);
    const aFailed = { a: subtask('a', 'failed'), b: subtask('b', 'pending'), c: subtask('c', 'pending') };
    expect(readySubtasks(state({ ordering, subtasks: aFailed }))).toEqual(['b']);
  });

  it('sends follow-up work (a resolver) before the next wave, from the integrated tree when asked', () => {
    const next = { subtaskId: 'a', kind: 'implement' as const, instructions: 'redo', round: 0, startCommit: '' };
    const subtasks = {
      a: { ...subtask('a', 'conflict'), conflictTries: 2, next },
      b: subtask('b', 'merged'),
      c: subtask('c', 'pending'),
    };
    const sends = afterIntegrate(state({ subtasks })) as Send[];
    expect(sends.map((s) => (s.args as { assignment: unknown; conflictTries: number }).assignment)).toEqual([
      { ...next, startCommit: 'int1' },
    ]);
    expect((sends[0]?.args as { conflictTries: number }).conflictTries).toBe(2);
  });
});

describe('failing tests', () => {
  it('go back to the subtasks whose files the output names', () => {
    const merged = {
      a: subtask('a', 'merged', ['src/a/x.js']),
      b: subtask('b', 'merged', ['src/b.js']),
      c: subtask('c', 'merged', ['src/index.js']),
    };
    const lastTests = {
      command: 'npm test',
      exitCode: 1,
      timedOut: false,
      passed: 3,
      failed: 1,
      skipped: 0,
      framework: 'node',
      durationMs: 10,
      outputExcerpt: 'not ok 4 - at src/b.js:3',
    };
    const sends = afterTest(state({ subtasks: merged, lastTests })) as Send[];
    expect(
      sends.map((s) => (s.args as { assignment: { subtaskId: string; kind: string } }).assignment.subtaskId),
    ).toEqual(['b']);
    expect(
      testFailureOwners(
        state({ subtasks: merged, merges: [{ subtaskId: 'c', jobId: 'j', round: 0, status: 'clean' }] }),
        'no names',
      ),
    ).toEqual(['c']);
    expect(afterTest(state({ subtasks: merged, lastTests, round: 2 }))).toBe('review');
  });
});

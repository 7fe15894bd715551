import { describe, expect, it } from 'vitest';
import type { Plan } from '@codecrew/core';
import { commentIssues, revisionPlan, routeComments } from '../src/followup/comments.ts';
import { plannerPrompt } from '../src/followup/prompt.ts';
import type { HunkOrigin } from '../src/graph/state.ts';

/** A diff of two files: src/slug.ts (one hunk, new lines 1-4) and src/pad.ts (hunks at new lines 1-3 and 20-23). */
const PATCH = [
  'diff --git a/src/slug.ts b/src/slug.ts',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/src/slug.ts',
  '@@ -0,0 +1,4 @@',
  '+export function slug(s: string) {',
  "+  return s.toLowerCase().replace(/ /g, '-');",
  '+}',
  '+',
  'diff --git a/src/pad.ts b/src/pad.ts',
  'index 1..2 100644',
  '--- a/src/pad.ts',
  '+++ b/src/pad.ts',
  '@@ -1,3 +1,3 @@',
  ' // pad',
  '-export const pad = 1;',
  '+export const pad = 2;',
  ' ',
  '@@ -20,3 +20,4 @@ function tail',
  ' a',
  '+b',
  ' c',
  ' d',
  '',
].join('\n');

const PROVENANCE: HunkOrigin[] = [
  { file: 'src/slug.ts', hunk: '@@ -0,0 +1,4 @@', subtasks: ['slug'], jobs: ['j1'], inferred: false },
  { file: 'src/pad.ts', hunk: '@@ -1,3 +1,3 @@', subtasks: ['pad'], jobs: ['j2'], inferred: false },
  { file: 'src/pad.ts', hunk: '@@ -20,3 +20,4 @@', subtasks: [], jobs: [], inferred: true },
];

const PLAN: Plan = {
  summary: 'slug and pad',
  subtasks: [
    { id: 'slug', title: 'Add slug()', description: 'd', files: ['src/slug.ts'], depends_on: [] },
    { id: 'pad', title: 'Fix pad', description: 'd', files: ['src/pad*.ts'], depends_on: [] },
    { id: 'docs', title: 'Docs', description: 'd', files: ['README.md'], depends_on: [] },
  ],
};

describe('commentIssues', () => {
  it('accepts comments on any new-side line of a hunk, context lines included', () => {
    expect(
      commentIssues(
        [
          { path: 'src/slug.ts', line: 1, body: 'a' },
          { path: 'src/slug.ts', line: 4, body: 'b' },
          { path: 'src/pad.ts', line: 3, body: 'c' },
          { path: 'src/pad.ts', line: 23, body: 'd' },
        ],
        PATCH,
      ),
    ).toEqual([]);
  });

  it('names each comment whose file is not in the diff or whose line is in no hunk, at its field', () => {
    const issues = commentIssues(
      [
        { path: 'src/slug.ts', line: 2, body: 'fine' },
        { path: 'src/other.ts', line: 1, body: 'not in the diff' },
        { path: 'src/slug.ts', line: 5, body: 'past the hunk' },
        { path: 'src/pad.ts', line: 10, body: 'between hunks' },
      ],
      PATCH,
    );
    expect(issues.map((i) => i.path)).toEqual(['[1].path', '[2].line', '[3].line']);
    expect(issues[0]?.message).toContain('src/other.ts is not a file');
    expect(issues[2]?.message).toContain('1-3, 20-23');
  });
});

describe('routeComments', () => {
  it('sends a comment to the subtask whose hunk holds its line, by provenance', () => {
    const routes = routeComments(
      [
        { path: 'src/pad.ts', line: 2, body: 'use 3' },
        { path: 'src/slug.ts', line: 2, body: 'trim first' },
      ],
      PATCH,
      PROVENANCE,
      PLAN.subtasks,
    );
    expect(routes.map((r) => [r.subtaskId, r.by])).toEqual([
      ['pad', 'provenance'],
      ['slug', 'provenance'],
    ]);
  });

  it('falls back to the subtask whose globs match the file when the hunk has no known writer', () => {
    const routes = routeComments([{ path: 'src/pad.ts', line: 21, body: 'why b?' }], PATCH, PROVENANCE, PLAN.subtasks);
    expect(routes.map((r) => [r.subtaskId, r.by])).toEqual([['pad', 'files']]);
  });

  it('ignores a provenance subtask the plan does not have', () => {
    const stale: HunkOrigin[] = [{ ...PROVENANCE[0]!, subtasks: ['gone'] }];
    const routes = routeComments([{ path: 'src/slug.ts', line: 1, body: 'x' }], PATCH, stale, PLAN.subtasks);
    expect(routes.map((r) => [r.subtaskId, r.by])).toEqual([['slug', 'files']]);
  });
});

describe('revisionPlan', () => {
  it('keeps only the subtasks that got comments, each described by its comments', () => {
    const routes = routeComments(
      [
        { path: 'src/slug.ts', line: 2, body: 'trim first' },
        { path: 'src/slug.ts', line: 3, body: 'and collapse dashes' },
      ],
      PATCH,
      PROVENANCE,
      PLAN.subtasks,
    );
    const plan = revisionPlan('t_parent', PLAN, routes);
    expect(plan.subtasks.map((s) => [s.id, s.title, s.files, s.depends_on])).toEqual([
      ['slug', 'Add slug()', ['src/slug.ts'], []],
    ]);
    expect(plan.subtasks[0]?.description).toContain('- src/slug.ts:2: trim first');
    expect(plan.subtasks[0]?.description).toContain('- src/slug.ts:3: and collapse dashes');
    expect(plan.summary).toBe('Revision of task t_parent: 2 review comment(s) for 1 subtask(s)');
  });
});

describe('plannerPrompt', () => {
  it("puts the parent's work before the new request of a follow-up, and leaves other prompts alone", () => {
    const commit = 'a'.repeat(40);
    const prompt = plannerPrompt({
      prompt: 'Now add unslug()',
      followup: { parent: 't_1', commit, context: 'Plan: add slug()' },
    });
    expect(prompt.indexOf('Plan: add slug()')).toBeLessThan(prompt.indexOf('Now add unslug()'));
    expect(prompt).toContain(`follows up task t_1, whose result (commit ${commit.slice(0, 10)})`);
    expect(plannerPrompt({ prompt: 'Just this', followup: null })).toBe('Just this');
  });
});

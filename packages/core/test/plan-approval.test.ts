import { describe, expect, it } from 'vitest';
import { PlanDecision, TaskSpec, checkPlan } from '../src/index.ts';

const subtask = (id: string, depends_on: string[] = [], files: string[] = ['src/**']) => ({
  id,
  title: id,
  description: '',
  files,
  depends_on,
});

describe('checkPlan', () => {
  it('returns a valid plan with its defaults filled in', () => {
    const result = checkPlan({ summary: 's', subtasks: [{ id: 'a', title: 'A' }, subtask('b', ['a'])] });
    expect(result).toEqual({
      plan: {
        summary: 's',
        subtasks: [{ id: 'a', title: 'A', description: '', files: [], depends_on: [] }, subtask('b', ['a'])],
      },
      issues: [],
    });
  });

  it('names the field of a cycle', () => {
    const result = checkPlan({ summary: 's', subtasks: [subtask('a', ['b']), subtask('b', ['a'])] });
    expect(result).toEqual({
      plan: null,
      issues: [{ path: 'subtasks[0].depends_on', message: 'the dependencies form a cycle: a → b → a' }],
    });
  });

  it('names unknown dependencies, repeated ids and globs outside the repository', () => {
    const result = checkPlan({
      summary: 's',
      subtasks: [subtask('a', ['x']), subtask('a', [], ['../secrets/*'])],
    });
    expect(result.issues).toEqual([
      { path: 'subtasks[1].id', message: 'subtask id "a" is used twice' },
      { path: 'subtasks[0].depends_on[0]', message: 'subtask "a" depends on unknown subtask "x"' },
      {
        path: 'subtasks[1].files[0]',
        message: 'file glob "../secrets/*" reaches outside the repository; give a path relative to its top',
      },
    ]);
  });

  it('reports shape errors at their paths', () => {
    const result = checkPlan({ summary: '', subtasks: [{ id: 'bad id', title: 'x', extra: 1 }] });
    expect(result.plan).toBeNull();
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['subtasks[0]', 'subtasks[0].id', 'summary']);
  });
});

describe('PlanDecision', () => {
  it('accepts approve, reject and edit, and refuses other actions', () => {
    expect(PlanDecision.parse({ action: 'approve', by: 'ana' })).toEqual({ action: 'approve', by: 'ana' });
    expect(PlanDecision.parse({ action: 'reject' })).toEqual({ action: 'reject' });
    expect(PlanDecision.parse({ action: 'edit', plan: { summary: 's' } })).toEqual({
      action: 'edit',
      plan: { summary: 's' },
    });
    expect(PlanDecision.safeParse({ action: 'maybe' }).success).toBe(false);
  });
});

describe('spec.plan', () => {
  const spec = (plan: unknown) => ({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'approve-me' },
    spec: { repo: { path: '.' }, prompt: 'p', plan },
  });

  it('defaults onTimeout to cancel', () => {
    expect(TaskSpec.parse(spec({ approval: 'required', timeout: '10m' })).spec.plan).toEqual({
      approval: 'required',
      timeout: '10m',
      onTimeout: 'cancel',
    });
  });

  it('refuses an unknown onTimeout', () => {
    expect(TaskSpec.safeParse(spec({ approval: 'required', onTimeout: 'ignore' })).success).toBe(false);
  });
});

import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TaskSpec, validatePlan } from '@codecrew/core';
import { loadConfig, resolveTask } from '../src/index.ts';
import { wholeTaskPlan } from '../src/graph/nodes/plan.ts';

function taskWith(plan: Record<string, unknown> | undefined) {
  const spec = TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'solo' },
    spec: { repo: { path: '.' }, prompt: 'Fix the parser.', ...(plan === undefined ? {} : { plan }) },
  });
  return resolveTask(spec, loadConfig({ cwd: tmpdir(), env: {} }), { specDir: tmpdir() });
}

describe('spec.plan.decompose', () => {
  it('is true unless the task says false', () => {
    expect(taskWith(undefined).decompose).toBe(true);
    expect(taskWith({ approval: 'required' }).decompose).toBe(true);
    expect(taskWith({ decompose: false }).decompose).toBe(false);
  });

  it('without decomposition the plan is the whole task as one valid subtask, s1, for any file', () => {
    const plan = wholeTaskPlan('Fix the parser.');
    expect(plan.subtasks).toEqual([
      { id: 's1', title: 'The whole task', description: 'Fix the parser.', files: ['**'], depends_on: [] },
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });
});

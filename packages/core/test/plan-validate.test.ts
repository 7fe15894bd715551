import { describe, expect, it } from 'vitest';
import { topologicalOrder, validatePlan, type Plan } from '../src/index.ts';

const subtask = (id: string, depends_on: string[] = []) => ({ id, title: id, description: '', files: [], depends_on });

describe('validatePlan', () => {
  it('accepts a DAG', () => {
    const plan: Plan = { summary: 's', subtasks: [subtask('a'), subtask('b'), subtask('c', ['a', 'b'])] };
    expect(validatePlan(plan)).toEqual([]);
    expect(topologicalOrder(plan)).toEqual(['a', 'b', 'c']);
  });

  it('names every problem', () => {
    expect(validatePlan({ summary: 's', subtasks: [] })).toEqual(['the plan has no subtasks; give at least one']);
    expect(validatePlan({ summary: 's', subtasks: [subtask('a', ['x']), subtask('a')] })).toEqual([
      'subtask id "a" is used twice',
      'subtask "a" depends on unknown subtask "x"',
    ]);
    expect(
      validatePlan({ summary: 's', subtasks: [subtask('a', ['b']), subtask('b', ['c']), subtask('c', ['a'])] }),
    ).toEqual(['the dependencies form a cycle: a → b → c → a']);
  });
});

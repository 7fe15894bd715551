import { describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import { submitPlanTool } from '../src/planner/run.ts';
import type { ToolContext } from '../src/index.ts';

const context = {} as ToolContext; // submit_plan reads only its arguments
const subtask = (id: string, depends_on: string[] = []) => ({ id, title: id, description: '', files: [], depends_on });

async function rejection(run: Promise<unknown>): Promise<CodecrewError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof CodecrewError) return error;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

describe('submit_plan', () => {
  it('accepts a valid plan as the end of the job', async () => {
    const plan = { summary: 's', subtasks: [subtask('a'), subtask('b', ['a'])] };
    expect(await submitPlanTool().run(plan, context)).toEqual({ kind: 'terminal', value: plan });
  });

  it('hands an invalid plan back once with its problems, then fails the job', async () => {
    const tool = submitPlanTool();
    const cyclic = { summary: 's', subtasks: [subtask('a', ['b']), subtask('b', ['a'])] };
    const first = await rejection(tool.run(cyclic, context));
    expect(first.code).toBe('PLAN_INVALID');
    expect(first.message).toBe(
      'the plan is not valid: the dependencies form a cycle: a → b → a. Fix it and call submit_plan again.',
    );
    expect(first.details?.fatal).toBe(false);
    const second = await rejection(tool.run({ summary: 's', subtasks: [] }, context));
    expect(second.message).toBe(
      'the plan is not valid: the plan has no subtasks; give at least one. The plan was rejected again; the task stops here.',
    );
    expect(second.details?.fatal).toBe(true);
  });
});

import { z } from 'zod';
import { CodecrewError, Plan, validatePlan, type JobOutput } from '@codecrew/core';
import { readOnlyTools } from '../tools/files.ts';
import { shellTool } from '../tools/shell.ts';
import { runAgentLoop } from '../runtime/loop.ts';
import { systemPrompt } from '../runtime/prompt.ts';
import { defineTool, type ToolOutcome } from '../runtime/tool.ts';
import { requireModel, type RoleRun } from '../runtime/role.ts';

/** How many invalid plans a planner may submit before its job fails: one re-plan with the problems shown. */
export const MAX_PLAN_REJECTIONS = 1;

/**
 * `submit_plan {summary, subtasks}`: validated as a DAG before it is accepted.
 * An invalid plan goes back to the planner with its problems once; a second
 * invalid plan fails the job with PLAN_INVALID.
 */
export function submitPlanTool() {
  let rejections = 0;
  return defineTool({
    name: 'submit_plan',
    description:
      'Submit the plan; ends your job. Subtask ids must be unique; depends_on lists ids of other subtasks; files are globs of the files each subtask may change.',
    schema: Plan,
    async run(args): Promise<ToolOutcome> {
      const problems = validatePlan(args);
      if (problems.length === 0) return { kind: 'terminal', value: args };
      rejections += 1;
      const fatal = rejections > MAX_PLAN_REJECTIONS;
      const advice = fatal ? 'The plan was rejected again; the task stops here.' : 'Fix it and call submit_plan again.';
      throw new CodecrewError('PLAN_INVALID', `the plan is not valid: ${problems.join('; ')}. ${advice}`, {
        details: { problems, fatal },
      });
    },
  });
}

/** Runs a planner job: explore read-only, then submit a plan. */
export const runPlanner: RoleRun = async (input) => {
  const { job, tools: context, price } = input;
  const result = await runAgentLoop({
    model: requireModel(input),
    tools: [...readOnlyTools, shellTool, submitPlanTool()],
    terminalTools: ['submit_plan'],
    system: systemPrompt('planner', job),
    user: `Task:\n${job.prompt}\n\nPlan this task for the crew.`,
    maxSteps: job.maxSteps,
    budget: job.budget,
    modelRef: job.model,
    context,
    ...(price ? { price } : {}),
  });
  const output: JobOutput = { role: 'planner', plan: z.parse(Plan, result.value) };
  return { output, usage: result.usage, steps: result.steps };
};

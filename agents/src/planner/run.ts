import { z } from 'zod';
import { CodecrewError, Plan, validatePlan, type JobOutput } from '@codecrew/core';
import { readOnlyTools } from '../tools/files.ts';
import { shellTool } from '../tools/shell.ts';
import { runAgentLoop } from '../runtime/loop.ts';
import { systemPrompt } from '../runtime/prompt.ts';
import { defineTool, type ToolOutcome } from '../runtime/tool.ts';
import { requireModel, type RoleRun } from '../runtime/role.ts';

const INSTRUCTIONS = `You are the planner of a crew of coding agents. Explore the repository (read-only) and split the task into subtasks that separate coders can do in parallel, each in its own copy of the repository. Good subtasks touch disjoint files; when one needs another's result, list it in depends_on. Give every subtask the globs of the files it may change (code and its tests) and a description precise enough that a coder who sees only that subtask can do it. Prefer a few substantial subtasks over many tiny ones. When you are ready, call submit_plan.`;

/** `submit_plan {summary, subtasks}`: validated as a DAG before it is accepted. */
export const submitPlanTool = defineTool({
  name: 'submit_plan',
  description: 'Submit the plan; ends your job. Subtask ids must be unique; depends_on lists ids of other subtasks.',
  schema: Plan,
  async run(args): Promise<ToolOutcome> {
    const problems = validatePlan(args);
    if (problems.length > 0) {
      throw new CodecrewError('PLAN_INVALID', `the plan is not valid: ${problems.join('; ')}. Fix it and call submit_plan again.`);
    }
    return { kind: 'terminal', value: args };
  },
});

/** Runs a planner job: explore read-only, then submit a plan. */
export const runPlanner: RoleRun = async (input) => {
  const { job, tools: context, price } = input;
  const result = await runAgentLoop({
    model: requireModel(input),
    tools: [...readOnlyTools, shellTool, submitPlanTool],
    terminalTools: ['submit_plan'],
    system: systemPrompt(INSTRUCTIONS, job),
    user: `Task:\n${job.prompt}\n\nPlan this task for the crew.`,
    maxSteps: job.maxSteps,
    context,
    ...(price ? { price } : {}),
  });
  const output: JobOutput = { role: 'planner', plan: z.parse(Plan, result.value) };
  return { output, usage: result.usage, steps: result.steps };
};

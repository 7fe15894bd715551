import { z } from 'zod';
import type { JobOutput } from '@codecrew/core';
import { readOnlyTools } from '../tools/files.ts';
import { shellTool } from '../tools/shell.ts';
import { runAgentLoop } from '../runtime/loop.ts';
import { systemPrompt } from '../runtime/prompt.ts';
import { defineTool } from '../runtime/tool.ts';
import { requireModel, type RoleRun } from '../runtime/role.ts';

/** `answer {markdown}`: ends an ask job. */
export const answerTool = defineTool({
  name: 'answer',
  description: 'Give your final answer in Markdown; ends your job.',
  schema: z.object({ markdown: z.string().min(1) }),
  async run(args) {
    return { kind: 'terminal', value: args };
  },
});

/** Runs an ask job: a read-only agent that answers in Markdown. */
export const runAsker: RoleRun = async (input) => {
  const { job, tools: context, price } = input;
  const result = await runAgentLoop({
    model: requireModel(input),
    tools: [...readOnlyTools, shellTool, answerTool],
    terminalTools: ['answer'],
    system: systemPrompt('asker', job),
    user: `Question:\n${job.prompt}`,
    maxSteps: job.maxSteps,
    budget: job.budget,
    modelRef: job.model,
    context,
    ...(price ? { price } : {}),
  });
  const { markdown } = result.value as { markdown: string };
  const output: JobOutput = { role: 'asker', markdown };
  return { output, usage: result.usage, steps: result.steps };
};

import { z } from 'zod';
import { CodecrewError, Review, type Job, type JobOutput, type TestReport } from '@codecrew/core';
import { readOnlyTools } from '../tools/files.ts';
import { shellTool } from '../tools/shell.ts';
import { runAgentLoop } from '../runtime/loop.ts';
import { systemPrompt } from '../runtime/prompt.ts';
import { defineTool } from '../runtime/tool.ts';
import { requireModel, type RoleRun } from '../runtime/role.ts';

const MAX_DIFF_IN_PROMPT = 60_000;

/** `submit_review {verdict, summary, comments}`: ends a reviewer job. */
export const submitReviewTool = defineTool({
  name: 'submit_review',
  description:
    'Submit your review; ends your job. verdict is "approve" or "request_changes"; comments name the file (and line) to change.',
  schema: Review,
  async run(args) {
    if (args.verdict === 'request_changes' && args.comments.length === 0) {
      throw new CodecrewError(
        'TOOL_INVALID_ARGS',
        'request_changes needs at least one comment saying what to change, and where',
      );
    }
    return { kind: 'terminal', value: args };
  },
});

function describeTests(tests: TestReport | null): string {
  if (tests === null) return 'No tests were run.';
  const status = tests.exitCode === 0 ? 'PASSED' : tests.timedOut ? 'TIMED OUT' : `FAILED (exit ${tests.exitCode})`;
  return `Test command \`${tests.command}\`: ${status}; ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped.\n${tests.outputExcerpt.slice(-2000)}`;
}

function userPrompt(job: Job, diff: string): string {
  if (job.input.role !== 'reviewer') throw new CodecrewError('INTERNAL', 'not a reviewer job');
  const shown =
    diff.length > MAX_DIFF_IN_PROMPT
      ? `${diff.slice(0, MAX_DIFF_IN_PROMPT)}\n… [diff cut; read the files for the rest]`
      : diff;
  const summaries = job.input.subtaskSummaries.map((s) => `- ${s.id} ${s.title}: ${s.summary}`).join('\n');
  return [
    `Task:\n${job.prompt}`,
    `What the coders say they did:\n${summaries || '(nothing)'}`,
    describeTests(job.input.tests),
    `The merged diff:\n\`\`\`diff\n${shown}\n\`\`\``,
  ].join('\n\n');
}

/** Runs a reviewer job: read the merged change, then submit a structured verdict. */
export const runReviewer: RoleRun = async (input) => {
  const { job, tools: context, price, artifacts } = input;
  if (job.input.role !== 'reviewer') throw new CodecrewError('INTERNAL', 'not a reviewer job');
  const diff = Buffer.from(await artifacts.get(job.input.diff)).toString('utf8');
  const result = await runAgentLoop({
    model: requireModel(input),
    tools: [...readOnlyTools, shellTool, submitReviewTool],
    terminalTools: ['submit_review'],
    system: systemPrompt('reviewer', job),
    user: userPrompt(job, diff),
    maxSteps: job.maxSteps,
    budget: job.budget,
    modelRef: job.model,
    context,
    ...(price ? { price } : {}),
  });
  const output: JobOutput = { role: 'reviewer', review: z.parse(Review, result.value) };
  return { output, usage: result.usage, steps: result.steps };
};

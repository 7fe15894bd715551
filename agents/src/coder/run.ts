import { z } from 'zod';
import {
  CodecrewError,
  encodeFileSet,
  isCodecrewError,
  type ArtifactRef,
  type Job,
  type JobOutput,
} from '@codecrew/core';
import { readOnlyTools, writeTools } from '../tools/files.ts';
import { shellTool } from '../tools/shell.ts';
import { runAgentLoop, type AgentLoopResult } from '../runtime/loop.ts';
import { systemPrompt } from '../runtime/prompt.ts';
import { defineTool } from '../runtime/tool.ts';
import { requireModel, type RoleRun, type RoleRunInput, type RoleRunOutput } from '../runtime/role.ts';

/** `finish {summary}`: ends a coder job. */
export const finishTool = defineTool({
  name: 'finish',
  description: 'Finish your subtask; ends your job. Summarize what you changed and how you verified it.',
  schema: z.object({ summary: z.string().min(1) }),
  async run(args) {
    return { kind: 'terminal', value: args };
  },
});

function userPrompt(job: Job): string {
  if (job.input.role !== 'coder') throw new CodecrewError('INTERNAL', 'not a coder job');
  const { subtask, kind, instructions } = job.input;
  const lines = [
    `Overall task:\n${job.prompt}`,
    `Your subtask (${subtask.id}): ${subtask.title}\n${subtask.description}`,
    subtask.files.length > 0 ? `Files this subtask may change: ${subtask.files.join(', ')}` : '',
  ];
  if (kind === 'fix') lines.push(`This is a follow-up round. Address the following, then finish:\n${instructions}`);
  if (kind === 'resolve')
    lines.push(
      `Resolve the merge conflict described below, keeping the intent of both sides, then finish:\n${instructions}`,
    );
  if (kind === 'implement' && instructions.trim() !== '') lines.push(instructions);
  return lines.filter((line) => line !== '').join('\n\n');
}

/** What a coder hands over: its diff against the starting tree and the changed files' new bytes, uploaded. */
interface Handover {
  patch: ArtifactRef | null;
  files: ArtifactRef | null;
  changedFiles: string[];
}

async function handOver(input: RoleRunInput): Promise<Handover> {
  const { job, tools: context } = input;
  await context.ready;
  const diff = await context.workspace.diff();
  if (diff.patch.trim() === '') return { patch: null, files: null, changedFiles: diff.changedFiles };
  const changed = await context.workspace.readChanges(diff.changes);
  const [patch, files] = await Promise.all([
    input.artifacts.put(`tasks/${job.taskId}/patches/${job.id}.diff`, Buffer.from(diff.patch)),
    changed === null ? null : input.artifacts.put(`tasks/${job.taskId}/files/${job.id}.bin`, encodeFileSet(changed)),
  ]);
  return { patch, files, changedFiles: diff.changedFiles };
}

/**
 * Runs a coder job: change the workspace, then hand back the patch against the
 * starting tree and the changed files' new bytes. A coder that uses all its
 * steps without calling `finish` still hands over what it changed, marked
 * `incomplete: 'steps_exhausted'`; with no changes it fails as AGENT_MAX_STEPS.
 */
export const runCoder: RoleRun = async (input) => {
  const { job, tools: context, price } = input;
  let result: AgentLoopResult;
  try {
    result = await runAgentLoop({
      model: requireModel(input),
      tools: [...readOnlyTools, ...writeTools, shellTool, finishTool],
      terminalTools: ['finish'],
      system: systemPrompt('coder', job),
      user: userPrompt(job),
      maxSteps: job.maxSteps,
      budget: job.budget,
      modelRef: job.model,
      context,
      ...(price ? { price } : {}),
    });
  } catch (error) {
    if (!isCodecrewError(error, 'AGENT_MAX_STEPS')) throw error;
    return handOverUnfinished(input, error);
  }
  const { summary } = result.value as { summary: string };
  const { patch, files, changedFiles } = await handOver(input);
  context.emit('log', `patch: ${changedFiles.length} file(s) changed`, { changedFiles });
  const output: JobOutput = { role: 'coder', summary, patch, changedFiles, files };
  return { output, usage: result.usage, steps: result.steps };
};

/** A coder out of steps: its changes so far, marked as unfinished, or the error when it changed nothing. */
async function handOverUnfinished(input: RoleRunInput, error: CodecrewError): Promise<RoleRunOutput> {
  const { job, tools: context } = input;
  const { patch, files, changedFiles } = await handOver(input);
  if (patch === null) throw error;
  context.emit(
    'log',
    `the coder used all ${job.maxSteps} steps without calling finish; its ${changedFiles.length} changed file(s) are handed over unfinished, for the tests to judge`,
    { changedFiles, incomplete: 'steps_exhausted' },
  );
  const summary = `Ran out of steps (${job.maxSteps}) before calling finish; the changes so far are handed over unfinished.`;
  const output: JobOutput = { role: 'coder', summary, patch, changedFiles, files, incomplete: 'steps_exhausted' };
  return { output, usage: context.meter.usage, steps: context.meter.steps };
}

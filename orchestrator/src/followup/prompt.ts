import type { ResolvedTask } from '../task/resolve.ts';

/**
 * The task's prompt as the planner reads it: for a follow-up, the new request after what the
 * earlier task did (its plan, subtasks and review), so that the plan builds on that work.
 */
export function plannerPrompt(task: Pick<ResolvedTask, 'prompt' | 'followup'>): string {
  if (task.followup === null || task.followup.context.trim() === '') return task.prompt;
  return [
    `This task follows up task ${task.followup.parent}, whose result (commit ${task.followup.commit.slice(0, 10)}) is the tree you start from.`,
    '',
    '## What the earlier task did',
    '',
    task.followup.context.trim(),
    '',
    '## What to do now',
    '',
    task.prompt,
  ].join('\n');
}

import { validatePlan, type Plan } from '@codecrew/core';
import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { treeArtifact, treeFiles } from '../trees.ts';
import { detectTestCommand } from '../../task/test-command.ts';
import { repoMap } from '../../task/repo-map.ts';
import type { GraphDeps } from '../deps.ts';
import { overlapOrdering } from '../overlap.ts';
import { plannerPrompt } from '../../followup/prompt.ts';
import type { JobRecord, SubtaskState, TaskStateUpdate, TaskStateValue } from '../state.ts';

/** plan: a planner job explores the base tree read-only and submits a DAG of subtasks. */
export async function planNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const [tree, files] = await Promise.all([
    treeArtifact(deps, state, state.baseCommit),
    treeFiles(deps, state.scratchDir, state.baseCommit),
  ]);
  // The planner is told the test command and the repository's layout, so it is worked out first.
  const tests = testCommandOf(state, deps, files);
  const repo = { repoMap: repoMap(files), testCommand: tests.testCommand };
  const fixed = state.task.followup?.plan;
  if (fixed !== undefined) {
    deps.emit(
      'log',
      `revision of task ${state.task.followup?.parent ?? ''}: no planner, the plan is the routed comments`,
      {
        revision: true,
      },
    );
    return { ...planUpdate(fixed, [], deps, true), ...tests };
  }
  if (!state.task.decompose) {
    deps.emit('log', 'no planner (spec.plan.decompose: false): the whole task is one subtask for one coder', {
      decompose: false,
    });
    return { ...planUpdate(wholeTaskPlan(state.task.prompt), [], deps), ...tests };
  }
  const job = makeJob(state, { id: 'plan', role: 'planner', tree, input: { role: 'planner' }, repo });
  job.prompt = plannerPrompt(state.task);
  const result = await runOnCrew(deps, job);
  const jobs = [jobRecord(result, 0)];
  if (result.status !== 'succeeded' || result.output?.role !== 'planner') {
    return {
      jobs,
      status: 'failed',
      error: { code: 'JOB_FAILED', message: `planning failed: ${failureOf(result)}`, retryable: false },
    };
  }
  return { ...planUpdate(result.output.plan, jobs, deps), ...tests };
}

/** The plan of a task that is not decomposed: one subtask, `s1`, that may change any file. */
export function wholeTaskPlan(prompt: string): Plan {
  return {
    summary: 'The whole task as one subtask (not decomposed)',
    subtasks: [{ id: 's1', title: 'The whole task', description: prompt, files: ['**'], depends_on: [] }],
  };
}

/**
 * The state a plan leads to: checked, its subtasks pending, their order; or the task failed with
 * PLAN_INVALID. A revision's subtasks are work its parent merged: each starts as merged, with a fix
 * job (its description, the user's comments) as its next work, as a review's fix round would.
 */
function planUpdate(plan: Plan, jobs: JobRecord[], deps: GraphDeps, revision = false): TaskStateUpdate {
  const problems = validatePlan(plan);
  if (problems.length > 0) {
    return {
      jobs,
      status: 'failed',
      error: { code: 'PLAN_INVALID', message: `the plan is not valid: ${problems.join('; ')}`, retryable: false },
    };
  }
  const subtasks: Record<string, SubtaskState> = {};
  for (const subtask of plan.subtasks) {
    subtasks[subtask.id] = {
      id: subtask.id,
      title: subtask.title,
      status: revision ? 'merged' : 'pending',
      summary: '',
      changedFiles: [],
      error: null,
      conflictTries: 0,
      next: revision
        ? { subtaskId: subtask.id, kind: 'fix', instructions: subtask.description, round: 0, startCommit: '' }
        : null,
    };
  }
  deps.emit('plan', `plan: ${plan.subtasks.length} subtask(s) — ${plan.summary}`, { plan });
  const ordering = overlapOrdering(plan);
  for (const order of ordering) {
    deps.emit('log', `${order.subtaskId} waits for ${order.after}: ${order.reason}`, { ...order });
  }
  return { jobs, taskPlan: plan, subtasks, ordering };
}

/** The test command: the task spec's, or one found in AGENTS.md or the base tree's `files`. */
function testCommandOf(
  state: TaskStateValue,
  deps: GraphDeps,
  files: readonly string[],
): { testCommand: string | null; testCommandSource: string } {
  if (state.testCommand !== null) return { testCommand: state.testCommand, testCommandSource: state.testCommandSource };
  const detected = detectTestCommand(state.agentsMd, files);
  const found = detected
    ? { testCommand: detected.command, testCommandSource: detected.source }
    : { testCommand: null, testCommandSource: '' };
  // None found is told by the test step, with what to do about it.
  if (found.testCommand !== null)
    deps.emit('log', `test command: ${found.testCommand} (from ${found.testCommandSource})`, { ...found });
  return found;
}

import { validatePlan, type Job, type Plan } from '@codecrew/core';
import { failureOf, jobIdOf, jobRecord, letJobsStart, makeJob, runOnCrew, sendJobAhead } from '../jobs.ts';
import { afterPlan } from '../routes.ts';
import { sendCoderAhead, type CodePayload } from './code.ts';
import { AHEAD_BEHIND_MODEL_MS, baseFiles, branchNameChecked, soloTreeArtifact, startAhead, treeArtifact, uncommittedChanges } from '../ahead.ts';
import { detectTestCommand } from '../../task/test-command.ts';
import type { GraphDeps } from '../deps.ts';
import { overlapOrdering } from '../overlap.ts';
import type { SubtaskState, TaskStateUpdate, TaskStateValue } from '../state.ts';

type PlannerState = Pick<TaskStateValue, 'task' | 'agentsMd' | 'scratchDir' | 'baseCommit' | 'repoRoot'>;

/** The planner's job on the base tree. */
async function plannerJob(state: PlannerState, deps: GraphDeps): Promise<Job> {
  const tree = await soloTreeArtifact(deps, state, state.baseCommit);
  return makeJob(state, { id: PLANNER_JOB, role: 'planner', tree, input: { role: 'planner' } });
}

const PLANNER_JOB = 'plan';

/**
 * While the planner thinks: whether the working tree has uncommitted changes (only told at the end,
 * in finalize), and the base tree uploaded as the shared artifact the first wave's coders start from.
 */
const whilePlanning = (state: PlannerState, deps: GraphDeps) => () =>
  startAhead(AHEAD_BEHIND_MODEL_MS, () => uncommittedChanges(deps, state.repoRoot), () => treeArtifact(deps, state, state.baseCommit));

/** Sends the planner from prepare, for the plan step to wait for (see `sendJobAhead`). */
export function sendPlannerAhead(state: PlannerState, deps: GraphDeps): string {
  const id = jobIdOf(state, PLANNER_JOB);
  sendJobAhead(deps, id, plannerJob(state, deps), whilePlanning(state, deps));
  return id;
}

/** plan: a planner job explores the base tree read-only and submits a DAG of subtasks. */
export async function planNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const result = await runOnCrew(deps, await plannerJob(state, deps), whilePlanning(state, deps));
  const jobs = [jobRecord(result, 0)];
  if (result.status !== 'succeeded' || result.output?.role !== 'planner') {
    return { jobs, status: 'failed', error: { code: 'JOB_FAILED', message: `planning failed: ${failureOf(result)}`, retryable: false } };
  }
  const plan: Plan = result.output.plan;
  const problems = validatePlan(plan);
  if (problems.length > 0) {
    return { jobs, status: 'failed', error: { code: 'PLAN_INVALID', message: `the plan is not valid: ${problems.join('; ')}`, retryable: false } };
  }
  // Checked since prepare, while the planner thought: a bad branch name fails the task before any coder starts.
  const [tests] = await Promise.all([testCommandOf(state, deps), branchNameChecked(deps, state.repoRoot, state.task.branch)]);
  const subtasks: Record<string, SubtaskState> = {};
  for (const subtask of plan.subtasks) {
    subtasks[subtask.id] = { id: subtask.id, title: subtask.title, status: 'pending', summary: '', changedFiles: [], error: null, conflictTries: 0, next: null };
  }
  deps.emit('plan', `plan: ${plan.subtasks.length} subtask(s) — ${plan.summary}`, { plan });
  const ordering = overlapOrdering(plan);
  for (const order of ordering) {
    deps.emit('log', `${order.subtaskId} waits for ${order.after}: ${order.reason}`, { ...order });
  }
  const update = { taskPlan: plan, subtasks, ordering, ...tests };
  // The first wave's coders are sent now; their code steps wait for them.
  const first = afterPlan({ ...state, ...update, subtasks: { ...state.subtasks, ...subtasks } });
  if (Array.isArray(first)) await letJobsStart(first.map((send) => sendCoderAhead(send.args as CodePayload, deps)));
  return { jobs, ...update };
}

/** The test command: the task spec's, or one found in AGENTS.md or the base tree's files (read in prepare). */
async function testCommandOf(state: TaskStateValue, deps: GraphDeps): Promise<{ testCommand: string | null; testCommandSource: string }> {
  if (state.testCommand !== null) return { testCommand: state.testCommand, testCommandSource: state.testCommandSource };
  const detected = detectTestCommand(state.agentsMd, (await baseFiles(deps, state)).paths);
  const found = detected ? { testCommand: detected.command, testCommandSource: detected.source } : { testCommand: null, testCommandSource: '' };
  // None found is told by the test step, with what to do about it.
  if (found.testCommand !== null) deps.emit('log', `test command: ${found.testCommand} (from ${found.testCommandSource})`, { ...found });
  return found;
}

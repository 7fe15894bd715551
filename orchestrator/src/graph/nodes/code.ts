import { CodecrewError, type Job, type Plan, type Subtask } from '@codecrew/core';
import { failureOf, jobRecord, makeJob, runOnCrew, type JobContextState } from '../jobs.ts';
import { treeArtifact } from '../trees.ts';
import { coderRepoContext, logAgentsMd } from '../repo-context.ts';
import type { GraphDeps } from '../deps.ts';
import { bestOfN } from './best-of-n.ts';
import { landCandidate } from '../candidate.ts';
import type { CodeAssignment, SubtaskState, TaskStateUpdate } from '../state.ts';

export type { CodeAssignment } from '../state.ts';

/** What the `code` node receives: the job context and its assignment. */
export type CodePayload = JobContextState & {
  plan: Plan;
  assignment: CodeAssignment;
  conflictTries: number;
  testCommand: string | null;
};

function jobId(assignment: CodeAssignment, conflictTries: number): string {
  const suffix = assignment.kind === 'resolve' ? '-resolve' : conflictTries >= 2 ? '-rerun' : '';
  return `code-${assignment.subtaskId}-r${assignment.round}${suffix}`;
}

/** The subtask of an assignment, and how many coders attempt it. */
function subtaskOf(payload: CodePayload): { subtask: Subtask; attempts: number } {
  const subtask = payload.plan.subtasks.find((s) => s.id === payload.assignment.subtaskId);
  if (!subtask) throw new CodecrewError('INTERNAL', `unknown subtask ${payload.assignment.subtaskId}`);
  return { subtask, attempts: subtask.attempts ?? payload.task.attempts };
}

/** Whether the subtask runs as best-of-N (its own node sends its candidates). */
const isBestOfN = (payload: CodePayload, attempts: number) =>
  attempts > 1 && payload.assignment.kind === 'implement' && payload.conflictTries === 0;

/** The coder job of an assignment, on the tree it starts from, with that tree's AGENTS.md for its subtask's directories. */
async function coderJob(payload: CodePayload, subtask: Subtask, deps: GraphDeps): Promise<Job> {
  const { assignment } = payload;
  const [tree, repo] = await Promise.all([
    treeArtifact(deps, payload, assignment.startCommit),
    coderRepoContext(deps, payload.scratchDir, assignment.startCommit, subtask, payload.testCommand),
  ]);
  logAgentsMd(deps, subtask.id, repo);
  return makeJob(payload, {
    id: jobId(assignment, payload.conflictTries),
    role: 'coder',
    tree,
    subtaskId: subtask.id,
    input: { role: 'coder', kind: assignment.kind, subtask, instructions: assignment.instructions },
    repo,
  });
}

/** code: one coder job in its own sandbox, started from `startCommit`; its patch joins the merge train. */
export async function codeNode(payload: CodePayload, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { assignment } = payload;
  const { subtask, attempts } = subtaskOf(payload);
  if (isBestOfN(payload, attempts)) return bestOfN(payload, deps, subtask, attempts);
  const job = await coderJob(payload, subtask, deps);
  const result = await runOnCrew(deps, job);
  const jobs = [jobRecord(result, assignment.round)];
  if (result.status !== 'succeeded' || result.output?.role !== 'coder') {
    const update: Partial<SubtaskState> = { error: failureOf(result), next: null };
    if (assignment.kind === 'resolve' && payload.conflictTries < 2) {
      // The resolver failed: re-run the subtask once from the integrated tree.
      update.next = {
        subtaskId: subtask.id,
        kind: 'implement',
        instructions: rerunInstructions(result.error?.message ?? 'it failed'),
        round: assignment.round,
        startCommit: '',
      };
      update.conflictTries = 2;
    } else if (assignment.kind !== 'fix') {
      // A failed follow-up keeps the work merged before it; a failed first attempt fails the subtask.
      update.status = 'failed';
    }
    return { jobs, subtasks: { [subtask.id]: update as SubtaskState } };
  }
  const candidate = await landCandidate(deps, payload.scratchDir, {
    subtaskId: subtask.id,
    jobId: job.id,
    kind: assignment.kind,
    round: assignment.round,
    startCommit: assignment.startCommit,
    mergeBase: assignment.mergeBase ?? assignment.startCommit,
    patch: result.output.patch,
    summary: result.output.summary,
    changedFiles: result.output.changedFiles,
    files: result.output.files ?? null,
  });
  const update: Partial<SubtaskState> = { next: null };
  if (assignment.kind !== 'resolve') update.summary = result.output.summary;
  return { jobs, candidates: [candidate], subtasks: { [subtask.id]: update as SubtaskState } };
}

/** What a coder re-running its subtask after an unresolved conflict is told. */
export function rerunInstructions(why: string): string {
  return `An earlier attempt at this subtask could not be merged with the work of the other subtasks (${why}). Do the subtask again on the current tree, which already contains their work, keeping it intact.`;
}

import { CodecrewError, type Plan } from '@codecrew/core';
import { failureOf, jobRecord, makeJob, runOnCrew, treeArtifact, type JobContextState } from '../jobs.ts';
import type { GraphDeps } from '../deps.ts';
import type { PatchCandidate, SubtaskState, TaskStateUpdate } from '../state.ts';

/** One coder assignment, sent to the `code` node with LangGraph's Send. */
export interface CodeAssignment {
  subtaskId: string;
  kind: 'implement' | 'fix' | 'resolve';
  instructions: string;
  round: number;
  startCommit: string;
}

/** What the `code` node receives: the job context and its assignment. */
export type CodePayload = JobContextState & { plan: Plan; assignment: CodeAssignment };

/** code: one coder job in its own sandbox, started from `startCommit`; its patch joins the merge train. */
export async function codeNode(payload: CodePayload, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { assignment, plan } = payload;
  const subtask = plan.subtasks.find((s) => s.id === assignment.subtaskId);
  if (!subtask) throw new CodecrewError('INTERNAL', `unknown subtask ${assignment.subtaskId}`);
  const tree = await treeArtifact(deps, payload, assignment.startCommit);
  const job = makeJob(payload, {
    id: `code-${subtask.id}-r${assignment.round}`,
    role: 'coder',
    tree,
    subtaskId: subtask.id,
    input: { role: 'coder', kind: assignment.kind, subtask, instructions: assignment.instructions },
  });
  const result = await runOnCrew(deps, job, payload.task.budget);
  const jobs = [jobRecord(result, assignment.round)];
  if (result.status !== 'succeeded' || result.output?.role !== 'coder') {
    const update: Partial<SubtaskState> = { error: failureOf(result) };
    // A failed follow-up keeps the work merged before it; a failed first attempt fails the subtask.
    if (assignment.kind === 'implement') update.status = 'failed';
    return { jobs, subtasks: { [subtask.id]: update as SubtaskState } };
  }
  const candidate: PatchCandidate = {
    subtaskId: subtask.id,
    jobId: job.id,
    kind: assignment.kind,
    round: assignment.round,
    startCommit: assignment.startCommit,
    patch: result.output.patch,
    summary: result.output.summary,
    changedFiles: result.output.changedFiles,
  };
  return { jobs, candidates: [candidate], subtasks: { [subtask.id]: { summary: result.output.summary } as SubtaskState } };
}

import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { commitDiff, treeArtifact } from '../trees.ts';
import type { GraphDeps } from '../deps.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** review: a reviewer job reads the task, the merged diff, AGENTS.md and the test results, and returns a verdict. */
export async function reviewNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { patch } = await commitDiff(deps, state.scratchDir, state.baseCommit, state.integration);
  const [diff, tree] = await Promise.all([
    deps.bus.putArtifact(`tasks/${state.task.taskId}/diffs/review-r${state.round}.diff`, Buffer.from(patch)),
    treeArtifact(deps, state, state.integration),
  ]);
  const summaries = (state.taskPlan?.subtasks ?? []).map((s) => ({
    id: s.id,
    title: s.title,
    summary: state.subtasks[s.id]?.summary ?? '',
  }));
  const job = makeJob(state, {
    id: `review-r${state.round}`,
    role: 'reviewer',
    tree,
    input: { role: 'reviewer', diff, tests: state.lastTests, subtaskSummaries: summaries },
  });
  const result = await runOnCrew(deps, job);
  const jobs = [jobRecord(result, state.round)];
  if (result.status !== 'succeeded' || result.output?.role !== 'reviewer') {
    return {
      jobs,
      status: 'failed',
      error: { code: 'JOB_FAILED', message: `the review failed: ${failureOf(result)}`, retryable: false },
    };
  }
  const review = result.output.review;
  deps.emit('review', `review round ${state.round}: ${review.verdict} — ${review.summary}`, {
    review,
    round: state.round,
  });
  return { jobs, lastReview: review, reviews: [{ ...review, round: state.round }] };
}

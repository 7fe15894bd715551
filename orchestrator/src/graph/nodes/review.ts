import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { AHEAD_BEHIND_MODEL_MS, diffArtifact, provenance, publishAhead, startAhead, treeArtifact } from '../ahead.ts';
import type { GraphDeps } from '../deps.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** review: a reviewer job reads the task, the merged diff, AGENTS.md and the test results, and returns a verdict. */
export async function reviewNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const [diffRef, tree] = await Promise.all([diffArtifact(deps, state, state.integration), treeArtifact(deps, state, state.integration)]);
  const summaries = (state.taskPlan?.subtasks ?? []).map((s) => ({ id: s.id, title: s.title, summary: state.subtasks[s.id]?.summary ?? '' }));
  const job = makeJob(state, {
    id: `review-r${state.round}`,
    role: 'reviewer',
    tree,
    input: { role: 'reviewer', diff: diffRef, tests: state.lastTests, subtaskSummaries: summaries },
  });
  // While the reviewer reads, get finalize's work done: the objects into the user's repository, the
  // branch's git processes waiting for the commit message, and provenance.
  const result = await runOnCrew(deps, job, () =>
    startAhead(AHEAD_BEHIND_MODEL_MS, () => publishAhead(deps, state, state.integration), () => provenance(deps, state)),
  );
  const jobs = [jobRecord(result, state.round)];
  if (result.status !== 'succeeded' || result.output?.role !== 'reviewer') {
    return { jobs, status: 'failed', error: { code: 'JOB_FAILED', message: `the review failed: ${failureOf(result)}`, retryable: false } };
  }
  const review = result.output.review;
  deps.emit('review', `review round ${state.round}: ${review.verdict} — ${review.summary}`, { review, round: state.round });
  return { jobs, lastReview: review, reviews: [{ ...review, round: state.round }] };
}

import type { JobResult } from '@codecrew/core';
import { failureOf, jobIdOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { AHEAD_BEHIND_MODEL_MS, diffArtifact, provenance, publishAhead, startAhead, treeArtifact } from '../ahead.ts';
import type { GraphDeps } from '../deps.ts';
import { afterTest } from '../routes.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

const aheadKey = (round: number) => `review-ahead:r${round}`;
const reviewJobName = (round: number) => `review-r${round}`;

/** Sends the reviewer job of `state` (its tests done) and waits for its result; what finalize needs is started once it is on its way. */
async function sendReview(state: TaskStateValue, deps: GraphDeps): Promise<JobResult> {
  const [diffRef, tree] = await Promise.all([diffArtifact(deps, state, state.integration), treeArtifact(deps, state, state.integration)]);
  const summaries = (state.taskPlan?.subtasks ?? []).map((s) => ({ id: s.id, title: s.title, summary: state.subtasks[s.id]?.summary ?? '' }));
  const job = makeJob(state, {
    id: reviewJobName(state.round),
    role: 'reviewer',
    tree,
    input: { role: 'reviewer', diff: diffRef, tests: state.lastTests, subtaskSummaries: summaries },
  });
  // While the reviewer reads, get finalize's work done: the objects into the user's repository, the
  // branch's git processes waiting for the commit message, and provenance.
  return runOnCrew(deps, job, () => startAhead(AHEAD_BEHIND_MODEL_MS, () => publishAhead(deps, state, state.integration), () => provenance(deps, state)));
}

/**
 * Sends the review from the test step, the moment the tests are in, when the
 * graph goes to the review next: the review step then waits for this job
 * instead of sending its own (one step's hand-over less before the reviewer
 * starts). A failure to send is the review step's to report: it sends the job itself.
 */
export function sendReviewAhead(state: TaskStateValue, deps: GraphDeps): string | null {
  if (afterTest(state) !== 'review') return null;
  deps.memo.set(aheadKey(state.round), sendReview(state, deps).catch(() => null));
  return jobIdOf(state, reviewJobName(state.round));
}

/** review: a reviewer job reads the task, the merged diff, AGENTS.md and the test results, and returns a verdict. */
export async function reviewNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const ahead = deps.memo.get(aheadKey(state.round)) as Promise<JobResult | null> | undefined;
  deps.memo.delete(aheadKey(state.round));
  const result = (await ahead) ?? (await sendReview(state, deps));
  const jobs = [jobRecord(result, state.round)];
  if (result.status !== 'succeeded' || result.output?.role !== 'reviewer') {
    return { jobs, status: 'failed', error: { code: 'JOB_FAILED', message: `the review failed: ${failureOf(result)}`, retryable: false } };
  }
  const review = result.output.review;
  deps.emit('review', `review round ${state.round}: ${review.verdict} — ${review.summary}`, { review, round: state.round });
  return { jobs, lastReview: review, reviews: [{ ...review, round: state.round }] };
}

import { failureOf, jobRecord, runOnCrew } from '../jobs.ts';
import { testJob, testsSentAhead } from '../test-ahead.ts';
import { diffArtifact, startAhead, treeArtifact } from '../ahead.ts';
import type { GraphDeps } from '../deps.ts';
import { sendReviewAhead } from './review.ts';
import { letJobsStart } from '../jobs.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** About how long a tester takes to start its command: work ahead waits that long, not for a model. */
const TESTER_START_MS = 150;

/** test: a tester job runs the test command on the integrated tree in a fresh sandbox. */
export async function testNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  if (state.testCommand === null) {
    deps.emit('tests', 'no test command found (set spec.test.command or name it in AGENTS.md); tests skipped', { skipped: true });
    return { lastTests: null };
  }
  // While the tests run (once the tester has started them), the review's diff is made.
  const makeDiff = () => startAhead(TESTER_START_MS, () => diffArtifact(deps, state, state.integration));
  const ahead = testsSentAhead(deps, state.round);
  if (ahead !== null) makeDiff();
  const result =
    (await ahead) ?? (await runOnCrew(deps, testJob(state, state.round, state.testCommand, await treeArtifact(deps, state, state.integration)), makeDiff));
  const jobs = [jobRecord(result, state.round)];
  if (result.status !== 'succeeded' || result.output?.role !== 'tester') {
    return {
      jobs,
      lastTests: null,
      status: 'failed',
      error: { code: 'JOB_FAILED', message: `the test job failed: ${failureOf(result)}`, retryable: false },
    };
  }
  const report = result.output.report;
  await letJobsStart([sendReviewAhead({ ...state, lastTests: report }, deps)]);
  return { jobs, lastTests: report, testRuns: [{ ...report, round: state.round }] };
}

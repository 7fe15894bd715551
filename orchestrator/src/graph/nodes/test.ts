import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { treeArtifact } from '../trees.ts';
import type { GraphDeps } from '../deps.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** test: a tester job runs the test command on the integrated tree in a fresh sandbox. */
export async function testNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const command = state.testCommand;
  if (command === null) {
    deps.emit('tests', 'no test command found (set spec.test.command or name it in AGENTS.md); tests skipped', {
      skipped: true,
    });
    return { lastTests: null };
  }
  const tree = await treeArtifact(deps, state, state.integration);
  const result = await runOnCrew(
    deps,
    makeJob(state, { id: `test-r${state.round}`, role: 'tester', tree, input: { role: 'tester', command } }),
  );
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
  return { jobs, lastTests: report, testRuns: [{ ...report, round: state.round }] };
}

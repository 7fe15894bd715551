import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { treeArtifact } from '../trees.ts';
import type { GraphDeps } from '../deps.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** ask: one read-only agent answers the question in Markdown; nothing is changed. */
export async function askNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const tree = await treeArtifact(deps, state, state.baseCommit);
  const result = await runOnCrew(deps, makeJob(state, { id: 'ask', role: 'asker', tree, input: { role: 'asker' } }));
  const jobs = [jobRecord(result, 0)];
  if (result.status !== 'succeeded' || result.output?.role !== 'asker') {
    return {
      jobs,
      status: 'failed',
      error: { code: 'JOB_FAILED', message: `the ask job failed: ${failureOf(result)}`, retryable: false },
    };
  }
  return { jobs, answer: result.output.markdown, status: 'answered' };
}

import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { AHEAD_BEHIND_MODEL_MS, soloTreeArtifact, startAhead, uncommittedChanges } from '../ahead.ts';
import type { GraphDeps } from '../deps.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** ask: one read-only agent answers the question in Markdown; nothing is changed. */
export async function askNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const tree = await soloTreeArtifact(deps, state, state.baseCommit);
  const job = makeJob(state, { id: 'ask', role: 'asker', tree, input: { role: 'asker' } });
  // Whether the working tree has uncommitted changes is only told at the end (finalize): checked while the model thinks.
  const result = await runOnCrew(deps, job, () => startAhead(AHEAD_BEHIND_MODEL_MS, () => uncommittedChanges(deps, state.repoRoot)));
  const jobs = [jobRecord(result, 0)];
  if (result.status !== 'succeeded' || result.output?.role !== 'asker') {
    return { jobs, status: 'failed', error: { code: 'JOB_FAILED', message: `the ask job failed: ${failureOf(result)}`, retryable: false } };
  }
  return { jobs, answer: result.output.markdown, status: 'answered' };
}

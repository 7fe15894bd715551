import { GitRepo, hunkProvenance } from '../git/index.ts';
import type { HunkOrigin, TaskStateValue } from './state.ts';

/** Every hunk of `patch` (the diff from the base to the integration), with the subtasks and jobs whose merges wrote it. */
export async function traceHunks(state: TaskStateValue, patch: string): Promise<HunkOrigin[]> {
  const byCommit = new Map(state.merges.filter((m) => m.commit !== undefined).map((m) => [m.commit as string, m]));
  const hunks = await hunkProvenance(new GitRepo(state.scratchDir), state.baseCommit, state.integration, patch);
  return hunks.map((hunk) => {
    const merges = hunk.commits.map((commit) => byCommit.get(commit)).filter((m) => m !== undefined);
    return {
      file: hunk.file,
      hunk: hunk.hunk,
      subtasks: [...new Set(merges.map((m) => m.subtaskId))],
      jobs: [...new Set(merges.map((m) => m.jobId))],
      inferred: hunk.inferred,
    };
  });
}

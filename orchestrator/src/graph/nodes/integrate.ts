import { GitRepo, commitPatch, mergeInto } from '../../git/index.ts';
import type { GraphDeps } from '../deps.ts';
import type { MergeRecord, PatchCandidate, SubtaskState, TaskStateUpdate, TaskStateValue } from '../state.ts';

function planOrder(state: TaskStateValue): (c: PatchCandidate) => number {
  const ids = state.taskPlan?.subtasks.map((s) => s.id) ?? [];
  return (c) => ids.indexOf(c.subtaskId);
}

/**
 * integrate: the merge train. This wave's patches are merged one by one, in
 * plan order, with git's 3-way merge into the integration tree.
 */
export async function integrateNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const repo = new GitRepo(state.scratchDir);
  const order = planOrder(state);
  const queue = [...state.candidates].sort((a, b) => order(a) - order(b) || a.round - b.round);
  let integration = state.integration;
  const merges: MergeRecord[] = [];
  const subtasks: Record<string, Partial<SubtaskState>> = {};
  for (const candidate of queue) {
    const base = { subtaskId: candidate.subtaskId, jobId: candidate.jobId, round: candidate.round };
    const previous = state.subtasks[candidate.subtaskId];
    const changed = new Set([...(previous?.changedFiles ?? []), ...candidate.changedFiles]);
    if (candidate.patch === null) {
      merges.push({ ...base, status: 'empty', message: 'the coder changed nothing' });
      subtasks[candidate.subtaskId] = { status: 'merged' };
      deps.emit('merge', `${candidate.subtaskId}: nothing to merge (no changes)`, { ...base, status: 'empty' });
      continue;
    }
    try {
      const patch = Buffer.from(await deps.bus.getArtifact(candidate.patch)).toString('utf8');
      const commit = await commitPatch(repo, candidate.startCommit, patch, `codecrew: ${candidate.subtaskId} (${candidate.kind})`);
      const outcome = await mergeInto(repo, {
        integration,
        candidate: commit,
        mergeBase: candidate.startCommit,
        message: `codecrew: merge ${candidate.subtaskId} round ${candidate.round}`,
      });
      if (outcome.clean && outcome.commit) {
        integration = outcome.commit;
        merges.push({ ...base, status: 'clean', commit: outcome.commit });
        subtasks[candidate.subtaskId] = { status: 'merged', changedFiles: [...changed].sort(), error: null };
        deps.emit('merge', `${candidate.subtaskId}: merged cleanly (${candidate.changedFiles.length} file(s))`, {
          ...base,
          status: 'clean',
          commit: outcome.commit,
          files: candidate.changedFiles,
        });
      } else {
        const paths = outcome.conflicts.map((c) => c.path);
        merges.push({ ...base, status: 'conflict', conflicts: paths, message: outcome.messages });
        subtasks[candidate.subtaskId] = {
          status: candidate.kind === 'implement' ? 'failed' : (previous?.status ?? 'failed'),
          error: `merge conflict in ${paths.join(', ')}`,
        };
        deps.emit('merge', `${candidate.subtaskId}: merge conflict in ${paths.join(', ')}`, { ...base, status: 'conflict', conflicts: paths });
      }
    } catch (error) {
      const message = (error as Error).message;
      merges.push({ ...base, status: 'failed', message });
      subtasks[candidate.subtaskId] = { status: candidate.kind === 'implement' ? 'failed' : (previous?.status ?? 'failed'), error: message };
      deps.emit('merge', `${candidate.subtaskId}: could not merge: ${message}`, { ...base, status: 'failed' });
    }
  }
  skipBlocked(state, subtasks, deps);
  const round = Math.max(state.round, ...queue.map((c) => c.round));
  return { integration, round, merges, subtasks: subtasks as Record<string, SubtaskState>, candidates: null };
}

/** Marks pending subtasks that depend, directly or not, on a failed or skipped one as skipped. */
function skipBlocked(state: TaskStateValue, updates: Record<string, Partial<SubtaskState>>, deps: GraphDeps): void {
  const statusOf = (id: string) => updates[id]?.status ?? state.subtasks[id]?.status;
  let changed = true;
  while (changed) {
    changed = false;
    for (const subtask of state.taskPlan?.subtasks ?? []) {
      if (statusOf(subtask.id) !== 'pending') continue;
      const blocker = subtask.depends_on.find((dep) => statusOf(dep) === 'failed' || statusOf(dep) === 'skipped');
      if (blocker === undefined) continue;
      updates[subtask.id] = { status: 'skipped', error: `skipped: it depends on ${blocker}, which did not succeed` };
      deps.emit('log', `${subtask.id}: skipped because ${blocker} did not succeed`, { subtaskId: subtask.id, blocker });
      changed = true;
    }
  }
}

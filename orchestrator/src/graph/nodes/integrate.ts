import type { ArtifactRef } from '@codecrew/core';
import { GitRepo, commitPatch, commitTree, mergeInto } from '../../git/index.ts';
import type { GraphDeps } from '../deps.ts';
import { FastLane } from '../fast-lane.ts';
import { laneChanges } from '../candidate.ts';
import { rerunInstructions } from './code.ts';
import type { MergeRecord, PatchCandidate, SubtaskState, TaskStateUpdate, TaskStateValue } from '../state.ts';

const MARKER = /^(<{7}|>{7})( |$)/m;

function planOrder(state: TaskStateValue): (c: PatchCandidate) => number {
  const ids = state.taskPlan?.subtasks.map((s) => s.id) ?? [];
  return (c) => ids.indexOf(c.subtaskId);
}

/** Files of `commit` among `paths` that still hold conflict markers. */
async function filesWithMarkers(repo: GitRepo, commit: string, paths: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const path of paths) {
    const blob = await repo.run(['cat-file', '-p', `${commit}:${path}`], { allowExitCodes: [128] });
    if (blob.code === 0 && MARKER.test(blob.stdout)) left.push(path);
  }
  return left;
}

function resolverInstructions(state: TaskStateValue, subtaskId: string, paths: string[]): string {
  const others = (state.taskPlan?.subtasks ?? [])
    .filter((s) => s.id !== subtaskId && state.subtasks[s.id]?.status === 'merged')
    .filter((s) => paths.some((p) => state.subtasks[s.id]?.changedFiles.includes(p)))
    .map((s) => `- ${s.id} "${s.title}": ${state.subtasks[s.id]?.summary || s.description}`);
  const mine = state.subtasks[subtaskId];
  return [
    `Merging your subtask's change into the integrated tree conflicted in: ${paths.join(', ')}.`,
    'Those files now contain git conflict markers: between <<<<<<< and ======= is the integrated tree, between ======= and >>>>>>> is your change.',
    `Your change: ${mine?.summary || '(see the subtask)'}`,
    others.length > 0
      ? `The integrated side holds the work of:\n${others.join('\n')}`
      : 'The integrated side holds the work of other subtasks.',
    'Edit each file so that it keeps the intent of both sides and has no conflict markers left, run the tests, then finish.',
  ].join('\n');
}

/**
 * integrate: the merge train. This wave's patches are merged one by one, in
 * plan order, into the integration tree: with git's 3-way merge, or, when no
 * one else touched a patch's paths, by committing its changes as they are. A conflict
 * sends a resolver (a coder that sees the markers and both intents); if that
 * fails, the subtask is re-run once from the integrated tree; then it fails.
 */
export async function integrateNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const repo = new GitRepo(state.scratchDir);
  const order = planOrder(state);
  const queue = [...state.candidates].sort((a, b) => order(a) - order(b) || a.round - b.round);
  let integration = state.integration;
  const merges: MergeRecord[] = [];
  const subtasks: Record<string, Partial<SubtaskState>> = {};
  // A candidate that needs git's merge is committed onto its start tree first (once; most already were, or need not be).
  const commits = new Map<PatchCandidate, Promise<string>>();
  const commitOf = (c: PatchCandidate & { patch: ArtifactRef }): Promise<string> => {
    let commit = commits.get(c);
    if (commit === undefined) {
      const ref = c.patch;
      commit =
        c.commit !== undefined
          ? Promise.resolve(c.commit)
          : deps.bus
              .getArtifact(ref)
              .then((bytes) =>
                commitPatch(
                  repo,
                  c.startCommit,
                  Buffer.from(bytes).toString('utf8'),
                  `codecrew: ${c.subtaskId} (${c.kind})`,
                ),
              );
      commits.set(c, commit);
    }
    return commit;
  };
  const lane = new FastLane(repo, integration);
  for (const candidate of queue) {
    const base = {
      subtaskId: candidate.subtaskId,
      jobId: candidate.jobId,
      round: candidate.round,
      kind: candidate.kind,
    };
    const previous = { ...state.subtasks[candidate.subtaskId], ...subtasks[candidate.subtaskId] } as SubtaskState;
    const changed = new Set([...(previous.changedFiles ?? []), ...candidate.changedFiles]);
    const settle = (update: Partial<SubtaskState>) =>
      (subtasks[candidate.subtaskId] = { ...subtasks[candidate.subtaskId], ...update });
    const onConflict = (paths: string[], conflictCommit: string | null, message: string) => {
      merges.push({ ...base, status: 'conflict', conflicts: paths, message });
      deps.emit('merge', `${candidate.subtaskId}: merge conflict in ${paths.join(', ')}`, {
        ...base,
        status: 'conflict',
        conflicts: paths,
      });
      const tries = previous.conflictTries ?? 0;
      if (tries === 0 && conflictCommit !== null) {
        settle({
          status: 'conflict',
          conflictTries: 1,
          error: `merge conflict in ${paths.join(', ')}; a resolver is on it`,
          next: {
            subtaskId: candidate.subtaskId,
            kind: 'resolve',
            instructions: resolverInstructions(state, candidate.subtaskId, paths),
            round: candidate.round,
            startCommit: conflictCommit,
            mergeBase: integration,
          },
        });
      } else if (tries <= 1) {
        settle({
          status: 'conflict',
          conflictTries: 2,
          error: `merge conflict in ${paths.join(', ')}; re-running the subtask from the integrated tree`,
          next: {
            subtaskId: candidate.subtaskId,
            kind: 'implement',
            instructions: rerunInstructions(`conflicts in ${paths.join(', ')}`),
            round: candidate.round,
            startCommit: '',
          },
        });
      } else {
        settle({
          status: candidate.kind === 'fix' ? previous.status : 'failed',
          error: `merge conflict in ${paths.join(', ')} (not resolved: ${message})`,
          next: null,
        });
      }
    };
    if (candidate.patch === null) {
      merges.push({ ...base, status: 'empty', message: 'the coder changed nothing' });
      if (candidate.kind === 'resolve') onConflict([], null, 'the resolver changed nothing');
      else settle({ status: 'merged' });
      deps.emit('merge', `${candidate.subtaskId}: nothing to merge (no changes)`, { ...base, status: 'empty' });
      continue;
    }
    const message = `codecrew: merge ${candidate.subtaskId} (${candidate.kind}, round ${candidate.round})`;
    const merged = (commit: string) => {
      const record: MergeRecord = { ...base, status: 'clean', commit };
      merges.push(record);
      return record;
    };
    const announce = (commit: string, resolved: boolean) =>
      deps.emit(
        'merge',
        `${candidate.subtaskId}: merged cleanly${resolved ? ' (conflict resolved)' : ''} (${candidate.changedFiles.length} file(s))`,
        {
          ...base,
          status: 'clean',
          commit,
          files: candidate.changedFiles,
        },
      );
    try {
      // A file set that cannot be read sends the candidate down git's merge instead.
      const fast = (await lane.accepts(candidate)) ? await laneChanges(deps, candidate).catch(() => null) : null;
      if (fast !== null) {
        // The record keeps its place in plan order; its commit is known when the lane is flushed.
        const record = merged('');
        lane.add(fast, message, (commit) => {
          record.commit = commit;
          announce(commit, false);
        });
        settle({ status: 'merged', changedFiles: [...changed].sort(), error: null });
        continue;
      }
      integration = await lane.flush();
      const commit = await commitOf({ ...candidate, patch: candidate.patch });
      if (candidate.kind === 'resolve') {
        const touched = await repo.run(['diff', '--name-only', '--no-renames', candidate.mergeBase, commit]);
        const left = await filesWithMarkers(
          repo,
          commit,
          touched.stdout.split('\n').filter((line) => line !== ''),
        );
        if (left.length > 0) {
          onConflict(left, null, `conflict markers left in ${left.join(', ')}`);
          continue;
        }
      }
      const outcome = await mergeInto(repo, {
        integration,
        candidate: commit,
        mergeBase: candidate.mergeBase,
        message,
      });
      if (outcome.clean && outcome.commit) {
        integration = outcome.commit;
        lane.moved(integration);
        merged(outcome.commit);
        announce(outcome.commit, candidate.kind === 'resolve');
        settle({ status: 'merged', changedFiles: [...changed].sort(), error: null });
      } else {
        const paths = outcome.conflicts.map((c) => c.path);
        const conflictCommit = outcome.conflictTree
          ? await commitTree(
              repo,
              outcome.conflictTree,
              [integration],
              `codecrew: ${candidate.subtaskId} conflicts in ${paths.join(', ')}`,
            )
          : null;
        onConflict(paths, candidate.kind === 'resolve' ? null : conflictCommit, outcome.messages);
      }
    } catch (error) {
      const message = (error as Error).message;
      merges.push({ ...base, status: 'failed', message });
      settle({ status: candidate.kind === 'fix' ? previous.status : 'failed', error: message, next: null });
      deps.emit('merge', `${candidate.subtaskId}: could not merge: ${message}`, { ...base, status: 'failed' });
    }
  }
  const round = Math.max(state.round, ...queue.map((c) => c.round));
  skipBlocked(state, subtasks, deps);
  integration = await lane.flush();
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

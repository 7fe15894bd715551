import type { ArtifactRef, JobResult } from '@codecrew/core';
import type { ChainChange } from '../git/index.ts';
import type { GraphDeps } from './deps.ts';
import { releaseStandby, withdrawStandbys } from './standby.ts';
import { makeJob, runOnCrew } from './jobs.ts';
import { afterIntegrate } from './routes.ts';
import type { SubtaskState, TaskStateValue } from './state.ts';

const key = (round: number) => `test-ahead:r${round}`;

/** The tester job of `round`, running `command` on `tree`. */
export function testJob(state: Pick<TaskStateValue, 'task' | 'agentsMd' | 'scratchDir'>, round: number, command: string, tree: ArtifactRef) {
  return makeJob(state, { id: `test-r${round}`, role: 'tester', tree, input: { role: 'tester', command } });
}

/** A merge train that only the fast lane merged: its starting commit, its changes, and the merged tree's archive built without git. */
export interface LaneMerge {
  start: string;
  changes: ChainChange[];
  /** null when it could not be built. */
  tree: Promise<Buffer | null>;
}

/**
 * Starts the tests of a merge train that only the fast lane merged before its
 * commits are written, so that they run while git records the merges: the
 * standby tester on the lane's starting tree is released with the lane's
 * files (see `sendStandbyTester`), else a tester is sent with the merged
 * tree's archive (when it could be built; else the test node sends the tests).
 * Only when the graph goes to the tests next (no further wave): the test node
 * then waits for this job instead of sending its own (see
 * {@link testsSentAhead}). Standby testers not released here are withdrawn.
 */
export function sendTestsAhead(
  deps: GraphDeps,
  state: TaskStateValue,
  update: { round: number; subtasks: Record<string, Partial<SubtaskState>> },
  lane: LaneMerge | null,
): void {
  const command = state.testCommand;
  if (command === null || lane === null) {
    withdrawStandbys(deps, null);
    return;
  }
  const subtasks: Record<string, SubtaskState> = { ...state.subtasks };
  for (const [id, change] of Object.entries(update.subtasks)) subtasks[id] = { ...(state.subtasks[id] as SubtaskState), ...change };
  // The new integration commit is not known yet; any id but the base's routes the same way.
  const next: TaskStateValue = { ...state, round: update.round, subtasks, integration: `${state.integration}+` };
  if (afterIntegrate(next) !== 'test') {
    withdrawStandbys(deps, null);
    return;
  }
  const released = releaseStandby(deps, lane.start, lane.changes);
  if (released !== null) {
    deps.memo.set(key(update.round), released);
    return;
  }
  const sent = (async (): Promise<JobResult | null> => {
    const tar = await lane.tree;
    if (tar === null) return null;
    const tree = await deps.bus.putArtifact(`tasks/${state.task.taskId}/trees/test-r${update.round}.tar`, tar);
    return runOnCrew(deps, testJob(state, update.round, command, tree));
  })();
  // A failure here is the test node's to report: it sends the job itself.
  deps.memo.set(key(update.round), sent.catch(() => null));
}

/** The result of the tests sent ahead for `round`, or null when none were (or sending failed): then the test node sends them. */
export function testsSentAhead(deps: GraphDeps, round: number): Promise<JobResult | null> | null {
  return (deps.memo.get(key(round)) as Promise<JobResult | null> | undefined) ?? null;
}

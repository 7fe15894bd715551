import { CodecrewError } from '@codecrew/core';
import { loadAgentsMdFromTar } from '../../agents-md/index.ts';
import type { GraphDeps } from '../deps.ts';
import { letJobsStart } from '../jobs.ts';
import { sendPlannerAhead } from './plan.ts';
import { AHEAD_BEHIND_MODEL_MS, baseFiles, branchNameChecked, repoSnapshot, soloTreeArtifact, startAhead } from '../ahead.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/**
 * prepare: resolve the repository and ref, snapshot the base commit and load
 * AGENTS.md: what the planner (or asker) needs. The base tree's archive is
 * made here, and AGENTS.md and the file list (for the test command) are read
 * from it. Its upload and the output branch's name check are started here
 * and awaited where they are needed (the planner's dispatch; before any
 * coder starts).
 */
export async function prepareNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { task } = state;
  // Started with the task run, before its checkpoints were opened.
  const { user, scratchDir } = await repoSnapshot(deps, task);
  if (user.emptyTree && task.mode === 'code') {
    throw new CodecrewError('REPO_INVALID', `${task.repoPath} has no files at ${user.ref}; commit something first`);
  }
  const base = { task, scratchDir, baseCommit: user.baseCommit };
  // One archive of the base tree: the planner's job carries it, and AGENTS.md and the file list are read from it.
  void soloTreeArtifact(deps, base, user.baseCommit).catch(() => undefined);
  if (task.mode === 'code') startAhead(AHEAD_BEHIND_MODEL_MS, () => branchNameChecked(deps, user.root, task.branch));
  const agents = await loadAgentsMdFromTar(await baseFiles(deps, base));
  deps.emit('log', `repository ${user.root} at ${user.ref} (${user.baseCommit.slice(0, 10)})`, {
    repo: user.root,
    ref: user.ref,
    baseCommit: user.baseCommit,
    agentsMd: agents.files,
  });
  const update = {
    repoRoot: user.root,
    baseCommit: user.baseCommit,
    integration: user.baseCommit,
    scratchDir,
    agentsMd: agents.text,
    agentsMdFiles: agents.files,
    testCommand: task.testCommand,
    testCommandSource: task.testCommand === null ? '' : 'task spec',
  };
  // The planner is sent now; the plan step waits for it.
  if (task.mode === 'code') await letJobsStart([sendPlannerAhead({ ...state, ...update }, deps)]);
  return update;
}

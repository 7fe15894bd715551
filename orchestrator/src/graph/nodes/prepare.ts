import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { CodecrewError } from '@codecrew/core';
import { GitRepo, createScratchRepo, requireBranchAt, requireBranchName } from '../../git/index.ts';
import { openTaskRepo, repoLabelOf } from '../../task/open-repo.ts';
import type { GraphDeps } from '../deps.ts';
import { agentsMdAt } from '../trees.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/**
 * prepare: resolve the repository and ref to the base commit, make the
 * scratch repository that borrows its objects, check the output branch's
 * name (so a bad name fails before any work) — for a follow-up, that its
 * branch is still at the parent's commit — and load AGENTS.md from the base commit.
 */
export async function prepareNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { task } = state;
  const user = await openTaskRepo(task);
  if (user.emptyTree && task.mode === 'code') {
    throw new CodecrewError('REPO_INVALID', `${repoLabelOf(task)} has no files at ${user.ref}; commit something first`);
  }
  // git's own check ran before the task started (preflightTask); this guards a resumed or handed-over task.
  if (task.mode === 'code') requireBranchName(task.branch);
  // A follow-up whose branch was moved would be refused at the end: it is refused before any work instead.
  if (task.followup !== null)
    await requireBranchAt(new GitRepo(user.root), user.root, task.branch, task.followup.commit);
  const scratchDir = join(task.outDir, 'scratch.git');
  await mkdir(task.outDir, { recursive: true });
  await createScratchRepo(user.commonDir, scratchDir);
  const agents = await agentsMdAt(deps, scratchDir, user.baseCommit);
  const clone = typeof task.repoUrl === 'string' ? ` (the cached clone of ${task.repoUrl})` : '';
  deps.emit('log', `repository ${user.root}${clone} at ${user.ref} (${user.baseCommit.slice(0, 10)})`, {
    repo: user.root,
    ...(typeof task.repoUrl === 'string' ? { url: task.repoUrl } : {}),
    ref: user.ref,
    baseCommit: user.baseCommit,
    agentsMd: agents.files,
  });
  return {
    repoRoot: user.root,
    baseCommit: user.baseCommit,
    integration: user.baseCommit,
    scratchDir,
    agentsMd: agents.text,
    agentsMdFiles: agents.files,
    testCommand: task.testCommand,
    testCommandSource: task.testCommand === null ? '' : 'task spec',
  };
}

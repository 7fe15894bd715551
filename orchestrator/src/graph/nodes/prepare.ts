import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { CodecrewError } from '@codecrew/core';
import { createScratchRepo, openUserRepo } from '../../git/index.ts';
import { loadAgentsMdFromCommit } from '../../agents-md/index.ts';
import { detectTestCommand } from '../../task/test-command.ts';
import type { GraphDeps } from '../deps.ts';
import { branchNameChecked, startAhead, treeArtifact } from '../ahead.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** prepare: resolve the repository and ref, snapshot the base commit, load AGENTS.md, find the test command. */
export async function prepareNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { task } = state;
  const scratchDir = join(task.outDir, 'scratch.git');
  const [user] = await Promise.all([openUserRepo(task.repoPath, task.ref ?? undefined), mkdir(task.outDir, { recursive: true })]);
  const scratch = await createScratchRepo(user.commonDir, scratchDir);
  // The planner (or asker) needs the base tree next: start uploading it.
  startAhead(treeArtifact(deps, { task, scratchDir }, user.baseCommit));
  const [{ stdout }, agents] = await Promise.all([
    scratch.run(['ls-tree', '-r', '-z', '--name-only', user.baseCommit]),
    loadAgentsMdFromCommit(scratch, user.baseCommit),
    task.mode === 'code' ? branchNameChecked(deps, user.root, task.branch) : undefined,
  ]);
  const files = stdout.split('\0').filter((line) => line !== '');
  if (files.length === 0 && task.mode === 'code') {
    throw new CodecrewError('REPO_INVALID', `${task.repoPath} has no files at ${user.ref}; commit something first`);
  }
  let testCommand = task.testCommand;
  let testCommandSource = testCommand === null ? '' : 'task spec';
  if (testCommand === null) {
    const detected = detectTestCommand(agents.text, files);
    if (detected) {
      testCommand = detected.command;
      testCommandSource = detected.source;
    }
  }
  deps.emit('log', `repository ${user.root} at ${user.ref} (${user.baseCommit.slice(0, 10)})`, {
    repo: user.root,
    ref: user.ref,
    baseCommit: user.baseCommit,
    agentsMd: agents.files,
    testCommand,
    testCommandSource,
  });
  return {
    repoRoot: user.root,
    baseCommit: user.baseCommit,
    integration: user.baseCommit,
    scratchDir,
    agentsMd: agents.text,
    agentsMdFiles: agents.files,
    testCommand,
    testCommandSource,
  };
}

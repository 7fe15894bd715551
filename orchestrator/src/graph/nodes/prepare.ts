import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { CodecrewError } from '@codecrew/core';
import { createScratchRepo, openUserRepo } from '../../git/index.ts';
import { loadAgentsMdFromCommit } from '../../agents-md/index.ts';
import { detectTestCommand } from '../../task/test-command.ts';
import type { GraphDeps } from '../deps.ts';
import { startAhead, treeArtifact } from '../ahead.ts';
import type { TaskStateUpdate, TaskStateValue } from '../state.ts';

/** prepare: resolve the repository and ref, snapshot the base commit, load AGENTS.md, find the test command. */
export async function prepareNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { task } = state;
  const scratchDir = join(task.outDir, 'scratch.git');
  await mkdir(task.outDir, { recursive: true });
  const [opened, created] = await Promise.allSettled([openUserRepo(task.repoPath, task.ref ?? undefined), createScratchRepo(task.repoPath, scratchDir)]);
  // What is wrong with the repository is told by openUserRepo, whose errors say what to do.
  if (opened.status === 'rejected') throw opened.reason;
  if (created.status === 'rejected') throw created.reason;
  const [user, scratch] = [opened.value, created.value];
  // The planner (or asker) needs the base tree next: start uploading it.
  startAhead(treeArtifact(deps, { task, scratchDir }, user.baseCommit));
  const [agents, { stdout }] = await Promise.all([
    loadAgentsMdFromCommit(scratch, user.baseCommit),
    scratch.run(['ls-tree', '-r', '--name-only', user.baseCommit]),
  ]);
  const files = stdout.split('\n').filter((line) => line !== '');
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
  deps.emit('log', `repository ${user.root} at ${user.ref} (${user.baseCommit.slice(0, 10)})${user.dirty ? ', uncommitted changes ignored' : ''}`, {
    repo: user.root,
    ref: user.ref,
    baseCommit: user.baseCommit,
    dirty: user.dirty,
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

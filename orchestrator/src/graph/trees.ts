import { agentsMdFromFiles, isAgentsMdPath, type AgentsMdResult } from '../agents-md/index.ts';
import { GitRepo, archiveTree, diffCommits, listTreeFiles, readFilesAt, type CommitDiff } from '../git/index.ts';
import type { ArtifactRef } from '@codecrew/core';
import type { GraphDeps } from './deps.ts';
import type { TaskStateValue } from './state.ts';

/**
 * The artifact holding the tree of `commit`, archived and uploaded once per
 * task run as a shared artifact: the coders of a wave all start from it, and
 * a worker fetches it once, not once per job.
 */
export function treeArtifact(
  deps: GraphDeps,
  state: Pick<TaskStateValue, 'task' | 'scratchDir'>,
  commit: string,
): Promise<ArtifactRef> {
  return deps.cache.trees.get(commit, async () => {
    const tar = await archiveTree(new GitRepo(state.scratchDir), commit);
    return deps.bus.putArtifact(`tasks/${state.task.taskId}/trees/${commit}.tar`, tar, { shared: true });
  });
}

/** The paths of every file in the tree of `commit`, listed once per task run (the planner and each coder need them). */
export function treeFiles(deps: Pick<GraphDeps, 'cache'>, scratchDir: string, commit: string): Promise<string[]> {
  return deps.cache.treeFiles.get(commit, () => listTreeFiles(new GitRepo(scratchDir), commit));
}

/**
 * The AGENTS.md instructions of the tree of `commit` for `cwd` (a directory, or each of several).
 * Every AGENTS.md file of the tree is read once per task run, by one git process, and only when the tree has any.
 */
export async function agentsMdAt(
  deps: Pick<GraphDeps, 'cache'>,
  scratchDir: string,
  commit: string,
  cwd: string | readonly string[] = '.',
): Promise<AgentsMdResult> {
  const contents = await deps.cache.agentsMdFiles.get(commit, async () => {
    const paths = (await treeFiles(deps, scratchDir, commit)).filter(isAgentsMdPath);
    return readFilesAt(new GitRepo(scratchDir), commit, paths);
  });
  return agentsMdFromFiles(contents, cwd);
}

/** The diff from `from` to `to`, made once per task run (the last review round and the result diff the same commits). */
export function commitDiff(
  deps: Pick<GraphDeps, 'cache'>,
  scratchDir: string,
  from: string,
  to: string,
): Promise<CommitDiff> {
  return deps.cache.diffs.get(`${from}..${to}`, () => diffCommits(new GitRepo(scratchDir), from, to));
}

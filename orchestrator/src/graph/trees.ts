import { GitRepo, archiveTree } from '../git/index.ts';
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

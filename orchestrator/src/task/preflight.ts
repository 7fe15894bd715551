import { CodecrewError } from '@codecrew/core';
import { openUserRepo } from '../git/index.ts';
import type { ResolvedTask } from './resolve.ts';

/**
 * Checks what can be checked before anything starts: the repository exists,
 * is a git repository with commits, and has the ref. Throws REPO_INVALID otherwise.
 */
export async function preflightTask(task: ResolvedTask): Promise<{ root: string; baseCommit: string; ref: string; dirty: boolean }> {
  const user = await openUserRepo(task.repoPath, task.ref ?? undefined);
  if (task.patchPath !== null && task.patchPath.startsWith(`${user.root}/`)) {
    throw new CodecrewError('SPEC_INVALID', `output.patch (${task.patchPath}) is inside the repository; codecrew never writes into your working tree — choose a path outside it`);
  }
  return { root: user.root, baseCommit: user.baseCommit, ref: user.ref, dirty: user.dirty };
}

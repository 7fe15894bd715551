import { CodecrewError } from '@codecrew/core';
import { openUserRepo, validateBranchName } from '../git/index.ts';
import type { ResolvedTask } from './resolve.ts';

/**
 * Checks what can be checked before anything starts: the repository exists,
 * is a git repository with commits, and has the ref (REPO_INVALID otherwise);
 * a code task's output branch has a valid name (SPEC_INVALID otherwise).
 */
export async function preflightTask(task: ResolvedTask): Promise<{ root: string; baseCommit: string; ref: string }> {
  const user = await openUserRepo(task.repoPath, task.ref ?? undefined);
  if (task.patchPath !== null && task.patchPath.startsWith(`${user.root}/`)) {
    throw new CodecrewError(
      'SPEC_INVALID',
      `output.patch (${task.patchPath}) is inside the repository; codecrew never writes into your working tree — choose a path outside it`,
    );
  }
  if (task.mode === 'code') await validateBranchName(user.root, task.branch);
  return { root: user.root, baseCommit: user.baseCommit, ref: user.ref };
}

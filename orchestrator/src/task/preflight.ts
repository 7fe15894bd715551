import { CodecrewError } from '@codecrew/core';
import { validateBranchName } from '../git/index.ts';
import { syncRepoCache } from '../git/repo-cache.ts';
import { openTaskRepo } from './open-repo.ts';
import type { ResolvedTask } from './resolve.ts';

/** What {@link preflightTask} needs beyond the resolved task. */
export interface PreflightOptions {
  /**
   * The spec's `repo.url` as written, credentials included: the task only keeps it without them.
   * When given for a `repo.url` task, the cached clone is made or fetched first.
   */
  repoUrl?: string;
}

/**
 * Checks what can be checked before anything starts: for a `repo.url` task, clones the URL into
 * the cache or fetches into it (REPO_CLONE_FAILED, REPO_FETCH_FAILED); then the repository exists,
 * is a git repository with commits, and has the ref (REPO_INVALID otherwise); a code task's output
 * branch has a valid name (SPEC_INVALID otherwise).
 */
export async function preflightTask(
  task: ResolvedTask,
  opts: PreflightOptions = {},
): Promise<{ root: string; baseCommit: string; ref: string }> {
  if (typeof task.repoUrl === 'string' && opts.repoUrl !== undefined) await syncRepoCache(opts.repoUrl, task.repoPath);
  const user = await openTaskRepo(task);
  if (task.patchPath !== null && task.patchPath.startsWith(`${user.root}/`)) {
    throw new CodecrewError(
      'SPEC_INVALID',
      `output.patch (${task.patchPath}) is inside the repository; codecrew never writes into your working tree — choose a path outside it`,
    );
  }
  if (task.mode === 'code') await validateBranchName(user.root, task.branch);
  return { root: user.root, baseCommit: user.baseCommit, ref: user.ref };
}

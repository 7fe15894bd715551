import { openUserRepo, type UserRepo } from '../git/open.ts';
import { openCachedRepo } from '../git/repo-cache.ts';
import type { ResolvedTask } from './resolve.ts';

/**
 * Opens a task's repository at its ref: the user's checkout (`repo.path`), or the cached
 * clone of `repo.url`, where a branch name means the remote's branch.
 */
export function openTaskRepo(task: ResolvedTask): Promise<UserRepo> {
  // A task checkpointed before repo.url existed has no repoUrl at all.
  return typeof task.repoUrl === 'string'
    ? openCachedRepo(task.repoPath, task.ref ?? 'HEAD', task.repoUrl)
    : openUserRepo(task.repoPath, task.ref ?? undefined);
}

/** How the messages of a task name its repository: its URL (credentials removed) or its path. */
export function repoLabelOf(task: ResolvedTask): string {
  return typeof task.repoUrl === 'string' ? task.repoUrl : task.repoPath;
}

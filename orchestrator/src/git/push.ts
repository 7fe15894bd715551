import { CodecrewError, redactUrlCredentials } from '@codecrew/core';
import { GitRepo } from './repo.ts';

/** What {@link pushBranch} pushes, and where. */
export interface PushBranchOptions {
  /** The repository holding the branch: the user's checkout, or a `repo.url` task's cached clone. */
  repoRoot: string;
  /** A remote of that repository (`origin`) or a git URL. */
  remote: string;
  branch: string;
  /** A `repo.url` task's URL (credentials redacted): the remote `origin` stands for it, the cached clone having no remotes. */
  repoUrl?: string | null;
}

/** A branch that reached its remote. */
export interface PushedBranch {
  /** The remote as given (a URL without its credentials). */
  remote: string;
  branch: string;
  commit: string;
}

/**
 * A remote that stops answering fails the push instead of holding the task: HTTP transfers slower than
 * 1 KiB/s for 60 s are dropped, and ssh never prompts (a user's own GIT_SSH_COMMAND is kept).
 */
const STALL_LIMITS: NodeJS.ProcessEnv = {
  GIT_HTTP_LOW_SPEED_LIMIT: '1024',
  GIT_HTTP_LOW_SPEED_TIME: '60',
  GIT_SSH_COMMAND:
    process.env['GIT_SSH_COMMAND'] ?? 'ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15',
};

/** The URL or remote name git is given: for a `repo.url` task, `origin` is the task's URL (without credentials). */
export function pushTarget(remote: string, repoUrl: string | null | undefined): string {
  if (remote === 'origin' && repoUrl !== null && repoUrl !== undefined) return repoUrl.replace('://***@', '://');
  return remote;
}

/**
 * Pushes `branch` of the repository at `repoRoot` to the same branch of `remote`, never forced: a remote
 * branch that is not an ancestor is left as it is. Fails with PUSH_FAILED carrying git's message, with the
 * credentials of any URL in it replaced by `***`; the local branch is not changed either way.
 */
export async function pushBranch(opts: PushBranchOptions): Promise<PushedBranch> {
  const repo = new GitRepo(opts.repoRoot);
  const shown = redactUrlCredentials(opts.remote);
  const ref = `refs/heads/${opts.branch}`;
  const local = await repo.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowExitCodes: [1] });
  if (local.code !== 0) {
    throw new CodecrewError('PUSH_FAILED', `cannot push ${opts.branch}: there is no such branch in ${opts.repoRoot}`, {
      details: { remote: shown, branch: opts.branch },
    });
  }
  const target = pushTarget(opts.remote, opts.repoUrl);
  const result = await repo
    .run(['push', '--porcelain', '--quiet', '--', target, `${ref}:${ref}`], {
      allowExitCodes: [1, 128],
      env: STALL_LIMITS,
    })
    .catch((error: unknown) => ({
      code: -1,
      stdout: '',
      stderr: error instanceof Error ? error.message : String(error),
    }));
  if (result.code !== 0) {
    const message = redactUrlCredentials(`${result.stderr}\n${result.stdout}`.trim()).split(target).join(shown);
    throw new CodecrewError(
      'PUSH_FAILED',
      `git push of ${opts.branch} to ${redactUrlCredentials(target)} failed: ${message}`,
      { details: { remote: shown, branch: opts.branch, stderr: message } },
    );
  }
  return { remote: shown, branch: opts.branch, commit: local.stdout.trim() };
}

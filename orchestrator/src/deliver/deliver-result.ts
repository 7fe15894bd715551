import { isCodecrewError, toErrorData, type ErrorData } from '@codecrew/core';
import { pushBranch } from '../git/push.ts';
import type { TaskReport } from '../report/build-report.ts';
import type { ResolvedTask } from '../task/resolve.ts';
import type { DeliveryOutcome, PullRequestOutcome } from './outcome.ts';
import { gitHubAccessFromEnv, openOrUpdatePullRequest } from './pull-request.ts';
import { pullRequestBody, pullRequestTitle } from './pull-request-body.ts';

/** What delivering a result needs besides the task and its report. */
export interface DeliveryOptions {
  /** Where a reader of the pull request finds the trace: a URL of the server, or the trace file's path. */
  traceLink: string;
  /** Told each outcome, for the trace. */
  log: (message: string, data: Record<string, unknown>) => void;
  /** Where GITHUB_TOKEN and GITHUB_API_URL are read; default the process's environment. */
  env?: NodeJS.ProcessEnv;
}

function errorOf(error: unknown): ErrorData {
  return isCodecrewError(error) ? error.toData() : toErrorData(error);
}

/**
 * After the result branch is created: pushes it (`output.push`), then opens or updates its GitHub pull
 * request (`output.pullRequest`, only once the push succeeded). A failure is recorded in the outcome and
 * the trace; it changes neither the task's status nor the branch.
 */
export async function deliverResult(
  task: Pick<ResolvedTask, 'push' | 'pullRequest' | 'repoUrl'>,
  report: TaskReport,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const branch = report.result?.branch ?? null;
  const push = task.push ?? null;
  const pullRequest = task.pullRequest ?? null;
  const outcome: DeliveryOutcome = { push: null, pullRequest: null };
  if (branch === null || (push === null && pullRequest === null)) return outcome;
  if (push !== null) {
    try {
      const pushed = await pushBranch({
        repoRoot: report.repo.path,
        remote: push.remote,
        branch,
        repoUrl: task.repoUrl,
      });
      outcome.push = { remote: pushed.remote, branch, commit: pushed.commit, error: null };
      options.log(`pushed ${branch} (${pushed.commit.slice(0, 10)}) to ${pushed.remote}`, { push: outcome.push });
    } catch (error) {
      outcome.push = { remote: push.remote, branch, commit: null, error: errorOf(error) };
      options.log(`push of ${branch} failed: ${outcome.push.error?.message ?? ''}`, { push: outcome.push });
    }
  }
  if (pullRequest !== null) outcome.pullRequest = await openPullRequest(pullRequest, branch, report, outcome, options);
  return outcome;
}

async function openPullRequest(
  spec: NonNullable<ResolvedTask['pullRequest']>,
  branch: string,
  report: TaskReport,
  outcome: DeliveryOutcome,
  options: DeliveryOptions,
): Promise<PullRequestOutcome> {
  const result: PullRequestOutcome = { github: spec.github, number: null, url: null, action: null, error: null };
  const pushError = outcome.push?.error ?? null;
  if (pushError !== null) {
    result.error = {
      code: 'PULL_REQUEST_FAILED',
      message: `no pull request: the branch was not pushed (${pushError.message})`,
      retryable: false,
    };
    options.log(`pull request of ${branch} not opened: ${result.error.message}`, { pullRequest: result });
    return result;
  }
  try {
    const opened = await openOrUpdatePullRequest(
      {
        github: spec.github,
        base: spec.base,
        head: branch,
        title: spec.title ?? pullRequestTitle(report),
        body: pullRequestBody(report, options.traceLink),
        draft: spec.draft,
      },
      gitHubAccessFromEnv(options.env ?? process.env),
    );
    Object.assign(result, { number: opened.number, url: opened.url, action: opened.action });
    options.log(`pull request #${opened.number} ${opened.action}: ${opened.url}`, { pullRequest: result });
  } catch (error) {
    result.error = errorOf(error);
    options.log(`pull request of ${branch} failed: ${result.error.message}`, { pullRequest: result });
  }
  return result;
}

import { Octokit } from '@octokit/rest';
import { CodecrewError } from '@codecrew/core';

/** GitHub's REST API; GITHUB_API_URL (a GitHub Enterprise server's `https://host/api/v3`) replaces it. */
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** Which pull request to open or update. */
export interface PullRequestTarget {
  /** `owner/repo` on GitHub. */
  github: string;
  /** The branch the pull request merges into. */
  base: string;
  /** The branch with the result (already pushed to `github`). */
  head: string;
  title: string;
  body: string;
  draft: boolean;
}

/** How to reach GitHub. */
export interface GitHubAccess {
  token: string;
  /** Default {@link DEFAULT_GITHUB_API_URL}. */
  apiUrl?: string;
}

/** A pull request that was opened, or found open for the same head branch and updated. */
export interface PullRequestRef {
  github: string;
  number: number;
  url: string;
  action: 'opened' | 'updated';
}

/** GITHUB_TOKEN and GITHUB_API_URL from `env`; PULL_REQUEST_FAILED when there is no token. */
export function gitHubAccessFromEnv(env: NodeJS.ProcessEnv, apiUrl?: string | null): GitHubAccess {
  const token = env['GITHUB_TOKEN'];
  if (token === undefined || token === '') {
    throw new CodecrewError(
      'PULL_REQUEST_FAILED',
      'no GitHub token: set GITHUB_TOKEN (a token that may write pull requests of the repository) where codecrew runs',
    );
  }
  return { token, apiUrl: env['GITHUB_API_URL'] ?? apiUrl ?? DEFAULT_GITHUB_API_URL };
}

function failure(target: PullRequestTarget, error: unknown): CodecrewError {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  return new CodecrewError(
    'PULL_REQUEST_FAILED',
    `could not open or update the pull request of ${target.head} on ${target.github}: ${message}`,
    {
      cause: error,
      details: { github: target.github, head: target.head, ...(typeof status === 'number' ? { status } : {}) },
    },
  );
}

/**
 * Opens a pull request of `head` into `base` on GitHub, or, when one with the same head branch is
 * open already (a follow-up task on the same branch), updates its title and body instead of opening
 * another. Fails with PULL_REQUEST_FAILED and GitHub's message.
 */
export async function openOrUpdatePullRequest(
  target: PullRequestTarget,
  access: GitHubAccess,
): Promise<PullRequestRef> {
  const [owner = '', repo = ''] = target.github.split('/');
  const octokit = new Octokit({
    auth: access.token,
    baseUrl: (access.apiUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: 'codecrew',
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  try {
    const open = await octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${target.head}` });
    const existing = open.data.find((pull) => pull.head.ref === target.head);
    if (existing !== undefined) {
      const updated = await octokit.rest.pulls.update({
        owner,
        repo,
        pull_number: existing.number,
        title: target.title,
        body: target.body,
      });
      return { github: target.github, number: updated.data.number, url: updated.data.html_url, action: 'updated' };
    }
    const created = await octokit.rest.pulls.create({
      owner,
      repo,
      head: target.head,
      base: target.base,
      title: target.title,
      body: target.body,
      draft: target.draft,
    });
    return { github: target.github, number: created.data.number, url: created.data.html_url, action: 'opened' };
  } catch (error) {
    throw failure(target, error);
  }
}

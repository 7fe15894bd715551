import type { ErrorData } from '@codecrew/core';

/** How pushing the result branch went. */
export interface PushOutcome {
  /** The remote as named (URLs without credentials). */
  remote: string;
  branch: string;
  /** The commit pushed; null when the push failed. */
  commit: string | null;
  error: ErrorData | null;
}

/** How opening or updating the pull request went. */
export interface PullRequestOutcome {
  github: string;
  number: number | null;
  url: string | null;
  /** `opened`, or `updated` when an open pull request of the same head branch was found; null on failure. */
  action: 'opened' | 'updated' | null;
  error: ErrorData | null;
}

/** What {@link deliverResult} did; a null part was not asked for (or there was no branch). */
export interface DeliveryOutcome {
  push: PushOutcome | null;
  pullRequest: PullRequestOutcome | null;
}

export { deliverResult } from './deliver-result.ts';
export type { DeliveryOptions } from './deliver-result.ts';
export type { DeliveryOutcome, PullRequestOutcome, PushOutcome } from './outcome.ts';
export { DEFAULT_GITHUB_API_URL, gitHubAccessFromEnv, openOrUpdatePullRequest } from './pull-request.ts';
export type { GitHubAccess, PullRequestRef, PullRequestTarget } from './pull-request.ts';
export { pullRequestBody, pullRequestTitle } from './pull-request-body.ts';

import { ApiError, type ApiClient } from './api.ts';

/** What `POST /v1/tasks/{id}/push` pushed. */
export interface PushResult {
  remote: string;
  branch: string;
  commit: string;
}

/** One attempt of a webhook delivery. */
export interface WebhookAttempt {
  attempt: number;
  at: string;
  /** The HTTP status answered; null when none came. */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** One webhook delivery about a task, as `GET /v1/tasks/{id}/webhooks` lists it. */
export interface WebhookDelivery {
  id: string;
  event: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  created_at: string;
  next_attempt_at: string | null;
  attempts: WebhookAttempt[];
}

/** The pull request a task opened or updated when it ended (`result.pullRequest` of its report). */
export interface PullRequestRecord {
  github: string;
  number: number | null;
  url: string | null;
  action: 'opened' | 'updated' | null;
  error: { code?: string; message?: string } | null;
}

/** The new task `POST /v1/tasks/{id}/followups` queued. */
export interface FollowupCreated {
  id: string;
  status: string;
  parent: string;
  branch: string;
  base_commit: string;
}

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

async function json<T>(api: ApiClient, path: string, init?: RequestInit): Promise<T> {
  const response = await api.fetchUrl(api.url(path), init);
  if (!response.ok) {
    let body: { error?: { code?: string; message?: string; details?: unknown } } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(
      response.status,
      body.error?.code ?? `HTTP_${response.status}`,
      body.error?.message ?? response.statusText,
      body.error?.details,
    );
  }
  return (await response.json()) as T;
}

/**
 * Pushes an ended task's result branch to `remote` (a remote name or a git URL). A refused push
 * throws an ApiError with code `PUSH_FAILED` and git's message.
 */
export function pushTask(api: ApiClient, id: string, remote: string): Promise<PushResult> {
  return json<PushResult>(api, `${taskPath(id)}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ remote }),
  });
}

/**
 * The task's webhook deliveries, oldest first; null where the API cannot list them (the single-task
 * `codecrew view`, which neither pushes nor follows up either).
 */
export async function listWebhookDeliveries(api: ApiClient, id: string): Promise<WebhookDelivery[] | null> {
  try {
    return (await json<{ deliveries: WebhookDelivery[] }>(api, `${taskPath(id)}/webhooks`)).deliveries;
  } catch {
    return null;
  }
}

/** Queues a follow-up of the ended task: a new task that adds a commit on the same branch. */
export function sendFollowup(api: ApiClient, id: string, prompt: string): Promise<FollowupCreated> {
  return json<FollowupCreated>(api, `${taskPath(id)}/followups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
}

/** The remote a push goes to unless the user names another: the spec's `output.push.remote`, else origin. */
export function defaultRemote(task: unknown): string {
  const spec = (task as { spec?: { spec?: { output?: { push?: { remote?: unknown } } } } } | undefined)?.spec;
  const remote = spec?.spec?.output?.push?.remote;
  return typeof remote === 'string' && remote !== '' ? remote : 'origin';
}

/** The pull request a report records, or null when the task asked for none (or the report has none yet). */
export function pullRequestOf(report: unknown): PullRequestRecord | null {
  const record = (report as { result?: { pullRequest?: PullRequestRecord | null } } | null | undefined)?.result
    ?.pullRequest;
  return record !== undefined && record !== null && typeof record === 'object' ? record : null;
}

/** A delivery's last attempt, or null before the first. */
export function lastAttempt(delivery: WebhookDelivery): WebhookAttempt | null {
  return delivery.attempts.at(-1) ?? null;
}

/** Says what went wrong in words a user reads: `CODE: message` for an API refusal. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

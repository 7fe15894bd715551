import { TokenStore } from './auth.ts';
import type { SeqEvent, TaskReport, TaskSummary, TraceEvent } from './types.ts';

/** An error the API answered with: `{error: {code, message, details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/** A field the server found wrong in a submitted task, with its position in the YAML when known. */
export interface FieldProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Reads the problems of a 400 answer's `details` (a list, or `{issues: [...]}`), whatever their exact shape. */
export function fieldProblems(details: unknown): FieldProblem[] {
  const list = Array.isArray(details)
    ? details
    : typeof details === 'object' && details !== null
      ? (Object.values(details).find(Array.isArray) ?? [])
      : [];
  return (list as Record<string, unknown>[]).map((item) => ({
    path: Array.isArray(item.path) ? item.path.join('.') : String(item.path ?? item.field ?? ''),
    message: String(item.message ?? ''),
    line: typeof item.line === 'number' ? item.line : undefined,
    column: typeof item.column === 'number' ? item.column : undefined,
  }));
}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
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

/**
 * The viewer's client of codecrew's HTTP API (`/v1`), also served by `codecrew view` for one task.
 * Every call carries the token of {@link auth} when there is one; a 401 tells it the token is needed.
 */
export class ApiClient {
  constructor(
    private readonly base = '',
    readonly auth = new TokenStore(),
  ) {}

  /** The URL of a path under the API. */
  url(path: string): string {
    return `${this.base}/v1${path}`;
  }

  /** `fetch` of a full API URL with the token's Authorization header; reports a 401 to {@link auth}. */
  readonly fetchUrl = async (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.auth.headers())) headers.set(name, value);
    const response = await fetch(url, { ...init, headers });
    if (response.status === 401) this.auth.refused();
    return response;
  };

  private request(path: string, init?: RequestInit): Promise<Response> {
    return this.fetchUrl(this.url(path), init);
  }

  /** A task's events stored so far, in one request (JSON lines); none when they cannot be read. */
  async eventsSoFar(id: string): Promise<SeqEvent[]> {
    const response = await this.request(`/tasks/${encodeURIComponent(id)}/events?format=jsonl`, {
      headers: { accept: 'application/x-ndjson' },
    });
    if (!response.ok) return [];
    const out: SeqEvent[] = [];
    for (const line of (await response.text()).split('\n')) {
      if (line.trim() === '') continue;
      const { seq, ...event } = JSON.parse(line) as TraceEvent & { seq?: number };
      out.push({ seq: seq ?? out.length + 1, event });
    }
    return out;
  }

  async listTasks(): Promise<TaskSummary[]> {
    const response = await check(await this.request('/tasks?limit=200'));
    const body = (await response.json()) as { tasks?: TaskSummary[]; items?: TaskSummary[] } | TaskSummary[];
    return Array.isArray(body) ? body : (body.tasks ?? body.items ?? []);
  }

  async task(id: string): Promise<TaskSummary> {
    return (await (await check(await this.request(`/tasks/${id}`))).json()) as TaskSummary;
  }

  /** report.json, or null while the task has none. */
  async report(id: string): Promise<TaskReport | null> {
    const response = await this.request(`/tasks/${id}/report`);
    if (response.status === 404 || response.status === 409) return null;
    return (await (await check(response)).json()) as TaskReport;
  }

  /** The unified diff, or null while there is none. */
  async diff(id: string): Promise<string | null> {
    const response = await this.request(`/tasks/${id}/diff`);
    if (response.status === 404 || response.status === 409) return null;
    return (await check(response)).text();
  }

  /** One job's commands with their full output. */
  async jobLog(id: string, jobId: string): Promise<string | null> {
    const response = await this.request(`/tasks/${id}/jobs/${jobId}/log`);
    if (response.status === 404 || response.status === 409) return null;
    return (await check(response)).text();
  }

  async submit(yaml: string): Promise<{ id: string }> {
    const response = await this.request('/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    });
    return (await (await check(response)).json()) as { id: string };
  }

  /** A message from the user to the running task's agents; `to` is `task`, a subtask id or a job id. */
  async say(id: string, text: string, to: string): Promise<{ id: string; to: string; running: string[] }> {
    const response = await this.request(`/tasks/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, to }),
    });
    return (await (await check(response)).json()) as { id: string; to: string; running: string[] };
  }

  /** A decision on the plan of a task awaiting approval: approve, reject, or edit with a replacement plan. */
  async decidePlan(
    id: string,
    decision: { action: 'approve' | 'reject' } | { action: 'edit'; plan: unknown },
  ): Promise<TaskSummary> {
    const response = await this.request(`/tasks/${encodeURIComponent(id)}/plan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...decision, by: 'viewer' }),
    });
    return (await (await check(response)).json()) as TaskSummary;
  }

  async cancel(id: string): Promise<void> {
    await check(await this.request(`/tasks/${id}/cancel`, { method: 'POST' }));
  }
}

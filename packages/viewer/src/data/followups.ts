import { ApiError, type ApiClient } from './api.ts';

/** A user's comment on a line of a task's diff, as the API keeps it. */
export interface UserComment {
  id: number;
  path: string;
  line: number;
  body: string;
  created_at: string;
  /** The revision task it was sent to; null until Revise. */
  revision: string | null;
}

/** One task of a revision history: the first task, or a follow-up or revision of one before it. */
export interface HistoryEntry {
  id: string;
  name: string;
  status: string;
  parent: string | null;
  prompt: string;
  branch: string | null;
  commit: string | null;
  created_at: string;
}

interface ApiTask {
  id: string;
  name: string;
  status: string;
  parent?: string | null;
  created_at: string;
  spec?: { spec?: { prompt?: string } } | null;
  result?: { branch?: string | null; commit?: string | null } | null;
}

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

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

function entryOf(task: ApiTask): HistoryEntry {
  return {
    id: task.id,
    name: task.name,
    status: task.status,
    parent: task.parent ?? null,
    prompt: task.spec?.spec?.prompt ?? '',
    branch: task.result?.branch ?? null,
    commit: task.result?.commit ?? null,
    created_at: task.created_at,
  };
}

/** The comments on a task's diff; null where the API keeps none (the single-task `codecrew view`). */
export async function listComments(api: ApiClient, id: string): Promise<UserComment[] | null> {
  try {
    return (await json<{ comments: UserComment[] }>(api, `${taskPath(id)}/comments`)).comments;
  } catch {
    return null;
  }
}

/** Adds one comment on `path:line` of the task's diff; an ApiError names what the server refused. */
export async function addComment(
  api: ApiClient,
  id: string,
  comment: { path: string; line: number; body: string },
): Promise<UserComment[]> {
  return (
    await json<{ comments: UserComment[] }>(api, `${taskPath(id)}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([comment]),
    })
  ).comments;
}

/** Where a revision sent each comment. */
export interface Revision {
  id: string;
  branch: string;
  routes: Array<{ comment: number; subtask: string; by: string }>;
}

/** Queues a revision of the task from its comments not yet revised. */
export function revise(api: ApiClient, id: string): Promise<Revision> {
  return json<Revision>(api, `${taskPath(id)}/revise`, { method: 'POST' });
}

/**
 * The history a task belongs to: its first task, then every follow-up and revision after it,
 * oldest first (each after its parent). One task alone when the API knows no follow-ups.
 */
export async function taskHistory(api: ApiClient, id: string): Promise<HistoryEntry[]> {
  let root = entryOf(await json<ApiTask>(api, taskPath(id)));
  const seen = new Set([root.id]);
  while (root.parent !== null && !seen.has(root.parent)) {
    seen.add(root.parent);
    root = entryOf(await json<ApiTask>(api, taskPath(root.parent)));
  }
  const history = [root];
  for (let index = 0; index < history.length; index++) {
    const parent = history[index] as HistoryEntry;
    const children = await json<{ tasks: ApiTask[] }>(
      api,
      `/tasks?parent=${encodeURIComponent(parent.id)}&limit=100`,
    ).catch(() => ({ tasks: [] }));
    // The list leaves out specs: each follow-up is read whole, for its prompt.
    const full = await Promise.all(
      children.tasks.map((task) => json<ApiTask>(api, taskPath(task.id)).catch(() => task)),
    );
    const ordered = full.sort((a, b) => a.created_at.localeCompare(b.created_at));
    // Each follow-up right after its parent, before the parent's later siblings' follow-ups.
    history.splice(index + 1, 0, ...ordered.map(entryOf));
  }
  return history;
}

import { CodecrewError, ERROR_CODES, type ErrorCode, type TraceEvent } from '@codecrew/core';
import type { CommentList, FollowupCreated, TaskCreated, TaskList, TaskView } from '@codecrew/server';
import type { z } from 'zod';
import type { MessageSent } from '@codecrew/server';

/** Where the server is and how to prove who we are. */
export interface ApiClientOptions {
  server: string;
  token?: string;
}

/** A stored event with its sequence number, as the API sends it. */
export type SequencedEvent = TraceEvent & { seq: number };

/** How a followed stream ended: the task's status, or null when the task was deleted. */
export interface StreamEnd {
  status: string | null;
  lastSeq: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorCode(value: unknown): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(String(value)) ? (value as ErrorCode) : 'INTERNAL';
}

/** A client of codecrew's HTTP API (`codecrew serve`). Errors are CodecrewErrors with the server's codes. */
export class ApiClient {
  readonly #base: string;
  readonly #token: string | undefined;

  constructor(options: ApiClientOptions) {
    this.#base = options.server.replace(/\/+$/, '');
    this.#token = options.token;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token !== undefined) headers.set('authorization', `Bearer ${this.#token}`);
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, { ...init, headers });
    } catch (error) {
      throw new CodecrewError(
        'SERVER_UNAVAILABLE',
        `no codecrew server answers at ${this.#base} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}): start one with codecrew serve, or name it with --server or CODECREW_SERVER`,
        { retryable: true, details: { server: this.#base } },
      );
    }
    if (response.ok) return response;
    const text = await response.text();
    let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not the API's error shape (a proxy's page): the status says enough.
    }
    const message = typeof body.error?.message === 'string' ? body.error.message : `HTTP ${response.status}`;
    const details =
      typeof body.error?.details === 'object' && body.error.details !== null
        ? (body.error.details as Record<string, unknown>)
        : {};
    throw new CodecrewError(errorCode(body.error?.code), message, { details: { ...details, http: response.status } });
  }

  async #json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.#fetch(path, init)).json()) as T;
  }

  /** POST /v1/tasks with a task spec (as JSON). */
  submit(spec: unknown, idempotencyKey?: string): Promise<z.infer<typeof TaskCreated>> {
    return this.#json('/v1/tasks', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      body: JSON.stringify(spec),
    });
  }

  /** GET /v1/tasks, one page. */
  list(query: { status?: string; limit?: number; cursor?: string | null } = {}): Promise<TaskList> {
    const params = new URLSearchParams();
    if (query.status !== undefined) params.set('status', query.status);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    const search = params.toString();
    return this.#json(`/v1/tasks${search === '' ? '' : `?${search}`}`);
  }

  /** GET /v1/tasks/{id}. */
  get(id: string): Promise<TaskView> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}`);
  }

  /** POST /v1/tasks/{id}/followups: a new task continuing this one on its branch. */
  followup(id: string, prompt: string): Promise<FollowupCreated> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/followups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt }),
    });
  }

  /** POST /v1/tasks/{id}/comments: comments on lines of the task's diff. */
  addComments(id: string, comments: Array<{ path: string; line: number; body: string }>): Promise<CommentList> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(comments),
    });
  }

  /** GET /v1/tasks/{id}/comments. */
  comments(id: string): Promise<CommentList> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/comments`);
  }

  /** POST /v1/tasks/{id}/revise: the comments not yet revised go to the subtasks that wrote their lines. */
  revise(id: string): Promise<FollowupCreated> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/revise`, { method: 'POST' });
  }

  /** POST /v1/tasks/{id}/messages: a message from the user to the task's agents (`to`: task, a subtask or a job id). */
  say(id: string, text: string, to?: string): Promise<MessageSent> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(to === undefined ? { text } : { text, to }),
    });
  }

  /** POST /v1/tasks/{id}/plan: approve, reject or (with `plan`) edit the plan of a task awaiting approval. */
  decidePlan(
    id: string,
    decision: { action: 'approve' | 'reject' | 'edit'; plan?: unknown; by?: string; reason?: string },
  ): Promise<TaskView> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/plan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(decision),
    });
  }

  /** POST /v1/tasks/{id}/cancel. */
  cancel(id: string): Promise<TaskView> {
    return this.#json(`/v1/tasks/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  }

  /** The events stored so far (JSON lines). */
  async eventsSoFar(id: string): Promise<SequencedEvent[]> {
    const response = await this.#fetch(`/v1/tasks/${encodeURIComponent(id)}/events?format=jsonl`);
    return (await response.text())
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as SequencedEvent);
  }

  /**
   * Follows a task's events live (Server-Sent Events) until it ends; a dropped connection is opened again
   * after the last event received (Last-Event-ID), so no event is missed or repeated. Gives up when the
   * server has not answered for `retryForMs`.
   */
  async follow(
    id: string,
    onEvent: (event: SequencedEvent) => void,
    options: { after?: number; retryForMs?: number; signal?: AbortSignal } = {},
  ): Promise<StreamEnd> {
    let last = options.after ?? 0;
    let failingSince: number | null = null;
    const retryForMs = options.retryForMs ?? 120_000;
    for (;;) {
      try {
        const response = await this.#fetch(`/v1/tasks/${encodeURIComponent(id)}/events`, {
          headers: { accept: 'text/event-stream', 'last-event-id': String(last) },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        failingSince = null;
        const end = await readEventStream(response, (event) => {
          last = event.seq;
          onEvent(event);
        });
        if (end !== null) return end;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // The task is gone, or the request is wrong: trying again will not help.
        const transient =
          !(error instanceof CodecrewError) ||
          error.code === 'SERVER_UNAVAILABLE' ||
          error.code === 'INTERNAL' ||
          error.details?.['http'] === 503;
        if (!transient) throw error;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > retryForMs) throw error;
      }
      await sleep(1_000);
    }
  }
}

/** Reads one SSE response to its end; the `end` message's content, or null when the stream broke off before it. */
async function readEventStream(
  response: Response,
  onEvent: (event: SequencedEvent) => void,
): Promise<StreamEnd | null> {
  if (response.body === null) return null;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        let name = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue;
        const payload = JSON.parse(data.join('\n')) as Record<string, unknown>;
        if (name === 'end') {
          return {
            status: typeof payload['status'] === 'string' ? payload['status'] : null,
            lastSeq: Number(payload['last_seq'] ?? 0),
          };
        }
        onEvent(payload as unknown as SequencedEvent);
      }
    }
  } catch {
    // The connection dropped: the caller opens it again after the last event it got.
  }
  return null;
}

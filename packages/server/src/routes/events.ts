import { once } from 'node:events';
import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { StoredEvent } from '@codecrew/store';
import { EventsQuery, TaskParams } from '../api/schemas.ts';
import { OPERATIONS, routePath } from '../api/operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';

/** Events read from the store at a time. */
const PAGE = 500;

/** An event as a JSON line and as SSE data: its sequence number, then the event. */
const lineOf = (stored: StoredEvent) => JSON.stringify({ seq: stored.seq, ...stored.event });

/** True when the client asked for JSON lines rather than an event stream. */
function wantsJsonLines(format: 'sse' | 'jsonl' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'jsonl';
  const types = (accept ?? '').toLowerCase();
  return /application\/(x-ndjson|jsonl)/.test(types) && !types.includes('text/event-stream');
}

/** Where to start: the Last-Event-ID header, else `after`, else the first event. */
function startAfter(header: string | string[] | undefined, after: number | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return after ?? 0;
  if (!/^[0-9]{1,10}$/.test(value)) {
    throw apiError('REQUEST_INVALID', 'Last-Event-ID must be the sequence number of an event', {
      issues: [{ path: 'Last-Event-ID', message: 'a whole number' }],
    });
  }
  return Number(value);
}

/** Writes to the response, waiting when its buffer is full; false once the client has gone. */
async function write(response: ServerResponse, text: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return false;
  if (!response.write(text)) {
    await Promise.race([once(response, 'drain'), once(response, 'close')]);
  }
  return !response.destroyed;
}

/**
 * Streams a task's events as Server-Sent Events after `after`: every stored event, then each new one as it
 * is stored, until the task has ended and its last event is sent (then an `end` message), the client goes,
 * or the server closes. Heartbeat comments keep proxies from closing a quiet stream.
 */
async function streamEvents(ctx: ApiContext, id: string, after: number, response: ServerResponse): Promise<void> {
  const gone = new AbortController();
  const stop = () => gone.abort();
  response.on('close', stop);
  ctx.closing.addEventListener('abort', stop, { once: true });
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  try {
    let last = after;
    if (!(await write(response, 'retry: 3000\n\n'))) return;
    while (!gone.signal.aborted) {
      const version = ctx.feed.version(id);
      const events = await ctx.store.readEvents(id, last, PAGE);
      for (const stored of events) {
        if (!(await write(response, `id: ${stored.seq}\ndata: ${lineOf(stored)}\n\n`))) return;
        last = stored.seq;
      }
      if (events.length === PAGE) continue;
      const record = await ctx.store.getTask(id);
      if (record === null || hasEnded(record.status)) {
        // The status settles only after the task's last event is stored: one more read finds anything left.
        const rest = await ctx.store.readEvents(id, last, PAGE);
        if (rest.length > 0) continue;
        await write(
          response,
          `event: end\ndata: ${JSON.stringify({ status: record?.status ?? null, last_seq: last })}\n\n`,
        );
        return;
      }
      const changed = await ctx.feed.waitForChange(id, version, ctx.heartbeatMs, gone.signal);
      if (!changed && !gone.signal.aborted && !(await write(response, ': heartbeat\n\n'))) return;
    }
  } finally {
    response.off('close', stop);
    ctx.closing.removeEventListener('abort', stop);
    if (!response.writableEnded) response.end();
  }
}

/** The stored events after `after`, as JSON lines, read a page at a time. */
async function* jsonLines(ctx: ApiContext, id: string, after: number): AsyncGenerator<string> {
  let last = after;
  for (;;) {
    const events = await ctx.store.readEvents(id, last, PAGE);
    if (events.length === 0) return;
    yield events.map((stored) => `${lineOf(stored)}\n`).join('');
    last = events.at(-1)?.seq ?? last;
    if (events.length < PAGE) return;
  }
}

/** GET /v1/tasks/{id}/events. */
export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(routePath(OPERATIONS.taskEvents), async (request, reply) => {
    const { id } = parseRequest(TaskParams, request.params, 'the path');
    const query = parseRequest(EventsQuery, request.query, 'the query');
    const after = startAfter(request.headers['last-event-id'], query.after);
    if ((await ctx.store.getTask(id)) === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
    if (wantsJsonLines(query.format, request.headers.accept)) {
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(jsonLines(ctx, id, after)));
    }
    reply.hijack();
    await streamEvents(ctx, id, after, reply.raw);
    return reply;
  });
}

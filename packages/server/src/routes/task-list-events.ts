import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { NoQuery } from '../api/schemas.ts';
import { OPERATIONS, routePath } from '../api/operations.ts';
import { parseRequest } from '../api/validate.ts';
import type { ApiContext } from '../http/context.ts';
import { ANY_TASK } from '../run/event-feed.ts';
import { listItemOf } from '../tasks/view.ts';

/** The tasks the stream watches: the newest, as the viewer's list shows them. */
const LISTED = 200;
/** The list is read again at least this often, for changes no event announces. */
const RELIST_MS = 2000;
/** At most one read of the list per this many ms, however fast events come. */
const THROTTLE_MS = 250;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function write(response: ServerResponse, text: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return false;
  if (!response.write(text)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
  return !response.destroyed;
}

/**
 * Streams the task list: every listed task, then each one whose listing differs from what this client was
 * last sent, read again whenever a task changes (and every {@link RELIST_MS}), until the client goes.
 */
async function streamTaskList(ctx: ApiContext, response: ServerResponse): Promise<void> {
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
  const sent = new Map<string, string>();
  try {
    if (!(await write(response, 'retry: 3000\n\n'))) return;
    let quietSince = Date.now();
    while (!gone.signal.aborted) {
      const version = ctx.feed.version(ANY_TASK);
      const { tasks } = await ctx.store.listTasks({ limit: LISTED });
      for (const record of tasks.reverse()) {
        const json = JSON.stringify(listItemOf(record));
        if (sent.get(record.id) === json) continue;
        sent.set(record.id, json);
        if (!(await write(response, `event: task\ndata: ${json}\n\n`))) return;
        quietSince = Date.now();
      }
      const changed = await ctx.feed.waitForChange(ANY_TASK, version, RELIST_MS, gone.signal);
      if (changed) await sleep(THROTTLE_MS, gone.signal);
      else if (Date.now() - quietSince >= ctx.heartbeatMs) {
        if (!(await write(response, ': heartbeat\n\n'))) return;
        quietSince = Date.now();
      }
    }
  } finally {
    response.off('close', stop);
    ctx.closing.removeEventListener('abort', stop);
    if (!response.writableEnded) response.end();
  }
}

/** GET /v1/tasks/events. */
export function taskListEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(routePath(OPERATIONS.taskListEvents), async (request, reply) => {
    parseRequest(NoQuery, request.query, 'the query');
    reply.hijack();
    await streamTaskList(ctx, reply.raw);
    return reply;
  });
}

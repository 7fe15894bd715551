import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { VIEWER_CONTENT_TYPES, VIEWER_DIST_DIR } from '@codecrew/viewer';
import { jobLogOf, taskViewOf, type TaskFolder } from './task-folder.ts';

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { code, message } }));
}

function sendFile(response: ServerResponse, path: string, type: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    sendError(response, 409, 'RESULT_NOT_READY', 'this task has no such output');
    return;
  }
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(readFileSync(path));
}

/** The events after `after` as SSE (id = sequence number), then an `end` message; or as JSON lines. */
function sendEvents(folder: TaskFolder, request: IncomingMessage, response: ServerResponse, url: URL): void {
  const header = request.headers['last-event-id'];
  const after =
    typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : Number(url.searchParams.get('after') ?? 0);
  const jsonl =
    url.searchParams.get('format') === 'jsonl' || /application\/(x-ndjson|jsonl)/.test(request.headers.accept ?? '');
  const rest = folder.lines.slice(after);
  if (jsonl) {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.end(
      rest.map((line, index) => `${JSON.stringify({ seq: after + index + 1, ...JSON.parse(line) })}\n`).join(''),
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let body = 'retry: 3000\n\n';
  rest.forEach((line, index) => {
    body += `id: ${after + index + 1}\ndata: ${line}\n\n`;
  });
  body += `event: end\ndata: ${JSON.stringify({ last_seq: folder.lines.length })}\n\n`;
  response.end(body);
}

/** Serves the built viewer, or 404. Paths are resolved inside the viewer's folder only. */
function sendViewerFile(response: ServerResponse, pathname: string): void {
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
  const path = normalize(join(VIEWER_DIST_DIR, relative));
  if (!path.startsWith(VIEWER_DIST_DIR + sep) || !existsSync(path) || !statSync(path).isFile()) {
    sendError(response, 404, 'ROUTE_NOT_FOUND', `no ${pathname}`);
    return;
  }
  response.writeHead(200, { 'content-type': VIEWER_CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
  response.end(readFileSync(path));
}

/** Answers one request: the API's read routes for the one task, the viewer's files for the rest. */
function handle(folder: TaskFolder, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendError(response, 405, 'REQUEST_INVALID', 'codecrew view shows a finished task and changes nothing');
    return;
  }
  const match = /^\/v1\/tasks(?:\/([^/]+)(\/.*)?)?$/.exec(url.pathname);
  if (match === null) {
    sendViewerFile(response, url.pathname);
    return;
  }
  const [, id, rest] = match;
  if (id === undefined) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ tasks: [taskViewOf(folder)], next_cursor: null }));
    return;
  }
  if (decodeURIComponent(id) !== folder.id) {
    sendError(response, 404, 'TASK_NOT_FOUND', `no task ${id} here; this viewer shows ${folder.id}`);
    return;
  }
  const jobLog = /^\/jobs\/([^/]+)\/log$/.exec(rest ?? '');
  if (rest === undefined) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(taskViewOf(folder)));
  } else if (rest === '/events') sendEvents(folder, request, response, url);
  else if (rest === '/diff') sendFile(response, join(folder.dir, 'diff.patch'), 'text/x-diff; charset=utf-8');
  else if (rest === '/report') sendFile(response, join(folder.dir, 'report.json'), 'application/json');
  else if (rest === '/report.md') sendFile(response, join(folder.dir, 'report.md'), 'text/markdown; charset=utf-8');
  else if (jobLog !== null) {
    const log = jobLogOf(folder, decodeURIComponent(jobLog[1] as string));
    if (log === null) sendError(response, 404, 'JOB_NOT_FOUND', `no commands of job ${jobLog[1]} in this trace`);
    else {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(log);
    }
  } else sendError(response, 404, 'ROUTE_NOT_FOUND', `no ${url.pathname}`);
}

/** A read-only server on 127.0.0.1 for one finished task: the viewer and the API's read routes for it. */
export async function startViewServer(folder: TaskFolder, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    try {
      handle(folder, request, response);
    } catch (error) {
      sendError(response, 500, 'INTERNAL', error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}/#/tasks/${encodeURIComponent(folder.id)}` };
}

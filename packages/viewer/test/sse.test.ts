import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '@codecrew/core';
import { ApiClient } from '../src/data/api.ts';
import { TokenStore, type TokenStorage } from '../src/data/auth.ts';
import { SseParser, followEvents } from '../src/data/sse.ts';
import type { SeqEvent } from '../src/data/types.ts';

const TOTAL = 10;
const trace: TraceEvent[] = Array.from({ length: TOTAL }, (_, i) => ({
  taskId: 't1',
  kind: i === TOTAL - 1 ? 'task.finished' : 'log',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  message: `event ${i + 1}`,
  data: i === TOTAL - 1 ? { status: 'approved' } : {},
}));

function frame(seq: number): string {
  return `id: ${seq}\nevent: trace\ndata: ${JSON.stringify(trace[seq - 1])}\n\n`;
}

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** A real SSE server that cuts every connection after `perConnection` events and, on a reconnect, repeats the last event it had sent. */
async function serve(
  perConnection: number,
  token?: string,
): Promise<{ url: string; lastEventIds: (string | undefined)[]; authorizations: (string | undefined)[] }> {
  const lastEventIds: (string | undefined)[] = [];
  const authorizations: (string | undefined)[] = [];
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    authorizations.push(request.headers.authorization);
    if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"error":{"code":"AUTH_REQUIRED","message":"token"}}');
      return;
    }
    const header = request.headers['last-event-id'];
    lastEventIds.push(typeof header === 'string' ? header : undefined);
    const after = header === undefined ? 0 : Number(header);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    response.write('retry: 10\n: comment lines are ignored\n\n');
    // Repeat the event the client already has, as a server replaying from a checkpoint may.
    const from = after > 0 ? after : 1;
    const to = Math.min(TOTAL, after + perConnection);
    let body = '';
    for (let seq = from; seq <= to; seq++) body += frame(seq);
    if (to < TOTAL) {
      // Cut mid-frame: the half-written event must not be delivered.
      body += frame(to + 1).slice(0, 20);
      response.write(body, () => response.destroy());
    } else {
      response.end(body);
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/tasks/t1/events`, lastEventIds, authorizations };
}

describe('followEvents', () => {
  it('reconnects with Last-Event-ID and delivers every event once, in order, across cut connections', async () => {
    const { url, lastEventIds } = await serve(3);
    const received: SeqEvent[] = [];
    const statuses: string[] = [];
    const last = await followEvents({
      url,
      retryMs: 5000,
      onEvent: (event) => received.push(event),
      onStatus: (status) => statuses.push(status),
    });
    expect(received.map((item) => item.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(received.map((item) => item.event.message)).toEqual(trace.map((event) => event.message));
    expect(last).toBe(TOTAL);
    expect(lastEventIds).toEqual([undefined, '3', '6', '9']);
    expect(statuses.filter((status) => status === 'reconnecting')).toHaveLength(3);
    expect(statuses.at(-1)).toBe('ended');
  });

  it("stops at the server's end message and reads events that carry their own seq", async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const withSeq = { seq: 1, ...trace[0] };
      response.end(`id: 1\ndata: ${JSON.stringify(withSeq)}\n\nevent: end\ndata: {"status":"cancelled"}\n\n`);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const received: SeqEvent[] = [];
    const last = await followEvents({ url: `http://127.0.0.1:${port}/`, onEvent: (event) => received.push(event) });
    expect(last).toBe(1);
    expect(received).toEqual([{ seq: 1, event: trace[0] }]);
  });

  it("sends the API client's token on every connection, reconnects included, and reports a 401", async () => {
    const { url, lastEventIds, authorizations } = await serve(4, 'secret');
    const memory = new Map<string, string>();
    const storage: TokenStorage = {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    };
    const api = new ApiClient('', new TokenStore(storage));
    const refused = new AbortController();
    api.auth.subscribe(() => refused.abort());
    // No token yet: the server answers 401 and the client asks for one.
    await followEvents({ url, retryMs: 10, fetch: api.fetchUrl, signal: refused.signal, onEvent: () => undefined });
    expect(api.auth.state).toBe('needed');
    api.auth.set('secret');
    const received: number[] = [];
    await followEvents({ url, retryMs: 10, fetch: api.fetchUrl, onEvent: (event) => received.push(event.seq) });
    expect(received).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(authorizations).toEqual([undefined, 'Bearer secret', 'Bearer secret', 'Bearer secret']);
    expect(lastEventIds).toEqual([undefined, '4', '8']);
  });

  it('starts after a given sequence number', async () => {
    const { url, lastEventIds } = await serve(TOTAL);
    const received: number[] = [];
    await followEvents({ url, lastEventId: 7, onEvent: (event) => received.push(event.seq) });
    expect(received).toEqual([8, 9, 10]);
    expect(lastEventIds).toEqual(['7']);
  });
});

describe('SseParser', () => {
  it('joins multi-line data, accepts CRLF and keeps a partial message for the next chunk', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 1\r\ndata: a\r\ndata: b\r\n')).toEqual([]);
    expect(parser.feed('\r\nid: 2\ndata')).toEqual([{ id: '1', data: 'a\nb', event: undefined }]);
    expect(parser.feed(': x\n: a comment\n\n')).toEqual([{ id: '2', data: 'x', event: undefined }]);
  });
});

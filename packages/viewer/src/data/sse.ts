import type { SeqEvent, TraceEvent } from './types.ts';

/** How to follow a task's event stream. */
export interface FollowOptions {
  /** The stream's URL, e.g. `/v1/tasks/ID/events`. */
  url: string;
  /** Called once per event, in sequence order, never twice for the same sequence number. */
  onEvent: (event: SeqEvent) => void;
  /** Called when the connection state changes (for a "reconnecting…" badge). */
  onStatus?: (status: 'open' | 'reconnecting' | 'ended') => void;
  /** Start after this sequence number (sent as Last-Event-ID). */
  lastEventId?: number;
  /** Wait between reconnects, in ms (the server's `retry:` field overrides it). */
  retryMs?: number;
  /** Stops following. */
  signal?: AbortSignal;
  /** Extra request headers (an Authorization header). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** One parsed SSE message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** An incremental parser of the `text/event-stream` format: feed it chunks, it returns whole messages. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private id: string | undefined;
  private event: string | undefined;
  /** The last `retry:` field the stream sent, in ms (it applies at once, message or not). */
  retryMs: number | undefined;

  /** Parses a chunk; returns the messages it completed. */
  feed(chunk: string): SseMessage[] {
    const text = this.buffer + chunk;
    const messages: SseMessage[] = [];
    let position = 0;
    // Where the next CR is, searched again only once passed (a stream without CRs is scanned once).
    let cr = text.indexOf('\r');
    for (;;) {
      const lf = text.indexOf('\n', position);
      if (cr >= 0 && cr < position) cr = text.indexOf('\r', position);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) break;
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (end === cr && end === text.length - 1) break;
      const width = text.startsWith('\r\n', end) ? 2 : 1;
      const message = this.line(text.slice(position, end));
      if (message !== undefined) messages.push(message);
      position = end + width;
    }
    this.buffer = text.slice(position);
    return messages;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') {
      const hasData = this.data.length > 0;
      const message = { id: this.id, event: this.event, data: this.data.join('\n') };
      this.data = [];
      this.event = undefined;
      this.id = undefined;
      return hasData ? message : undefined;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }
}

/**
 * Follows a task's Server-Sent Events: every trace event from the start (or after `lastEventId`),
 * reconnecting with `Last-Event-ID` whenever the connection drops, and delivering each sequence
 * number once and in order. It stops when the server has said the stream is over (an `end` message, or
 * the task's `task.finished` event) and closed it, or when `signal` aborts. Resolves with the last sequence number seen.
 */
export async function followEvents(options: FollowOptions): Promise<number> {
  const doFetch = options.fetch ?? fetch;
  let lastId = options.lastEventId ?? 0;
  let retryMs = options.retryMs ?? 1000;
  let finished = false;
  const aborted = () => options.signal?.aborted === true;
  while (!aborted()) {
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
      if (lastId > 0) headers['last-event-id'] = String(lastId);
      const response = await doFetch(options.url, { headers, signal: options.signal });
      if (!response.ok || response.body === null) throw new Error(`events: HTTP ${response.status}`);
      options.onStatus?.('open');
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const messages = parser.feed(decoder.decode(value, { stream: true }));
        retryMs = parser.retryMs ?? retryMs;
        for (const message of messages) {
          if (message.event === 'end') {
            finished = true;
            continue;
          }
          const seq = Number(message.id);
          if (message.id === undefined || !Number.isFinite(seq) || seq <= lastId) continue;
          if (message.event !== undefined && message.event !== 'message' && message.event !== 'trace') continue;
          // The server may add the sequence number to the event's JSON; the event is the rest.
          const { seq: _seq, ...event } = JSON.parse(message.data) as TraceEvent & { seq?: number };
          lastId = seq;
          options.onEvent({ seq, event });
          if (event.kind === 'task.finished') finished = true;
        }
      }
      if (finished) break;
    } catch {
      // A refused or cut connection: try again after the wait, unless the stream is over or stopped.
      if (finished || aborted()) break;
    }
    options.onStatus?.('reconnecting');
    await sleep(retryMs, options.signal);
  }
  options.onStatus?.('ended');
  return lastId;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

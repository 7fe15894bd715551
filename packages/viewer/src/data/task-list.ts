import { SseParser } from './sse.ts';
import type { TaskSummary } from './types.ts';

/** How to follow the server's stream of task list changes (`GET /v1/tasks/events`). */
export interface FollowTaskListOptions {
  url: string;
  /** Called with each task the stream sends: every listed task first, then each new or changed one. */
  onTask: (task: TaskSummary) => void;
  /** Called when the connection state changes. */
  onStatus?: (status: 'open' | 'reconnecting' | 'unavailable') => void;
  /** Wait between reconnects, in ms (the server's `retry:` field overrides it). */
  retryMs?: number;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * Follows the task list's changes until `signal` aborts, reconnecting whenever the connection drops (each
 * connection starts with the whole list again). A server without the stream (404, e.g. `codecrew view`)
 * ends it: its list does not change.
 */
export async function followTaskList(options: FollowTaskListOptions): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  let retryMs = options.retryMs ?? 3000;
  while (!options.signal.aborted) {
    try {
      const response = await doFetch(options.url, {
        headers: { accept: 'text/event-stream' },
        signal: options.signal,
      });
      if (response.status === 404) {
        options.onStatus?.('unavailable');
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`task list events: HTTP ${response.status}`);
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
          if (message.event === 'task') options.onTask(JSON.parse(message.data) as TaskSummary);
        }
      }
    } catch {
      // A refused or cut connection: try again after the wait, unless stopped.
    }
    if (options.signal.aborted) return;
    options.onStatus?.('reconnecting');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retryMs);
      options.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

import { newId, parseDuration, type WebhookConfig, type WebhookEvent } from '@codecrew/core';
import type { TaskRecord, TaskStore, WebhookAttempt, WebhookDelivery } from '@codecrew/store';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './signature.ts';

/** Attempts of one event when the webhook does not say. */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** The wait before the second attempt when the webhook does not say; doubled before each next one. */
export const DEFAULT_INITIAL_DELAY_MS = 1_000;
/** How long one attempt waits for an answer. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** The longest wait between two attempts. */
const MAX_DELAY_MS = 60 * 60 * 1000;

/** What a webhook POST carries (its JSON body). */
export interface WebhookPayload {
  /** The delivery's id (also in the X-Codecrew-Delivery header). */
  id: string;
  event: WebhookEvent;
  /** When the event happened. */
  createdAt: string;
  task: { id: string; name: string; status: string };
  /** What the event says: a trace event's message and data, or the ended task's status, error and result. */
  data: Record<string, unknown>;
}

/** What the dispatcher needs. */
export interface WebhookDispatcherOptions {
  store: TaskStore;
  hooks: readonly WebhookConfig[];
  log(line: string): void;
}

/** The wait after attempt `attempt` (1-based) failed: the initial delay, doubled each time, at most an hour. */
export function retryDelayMs(hook: WebhookConfig, attempt: number): number {
  const initial = hook.initialDelay === undefined ? DEFAULT_INITIAL_DELAY_MS : parseDuration(hook.initialDelay);
  return Math.min(MAX_DELAY_MS, initial * 2 ** (attempt - 1));
}

/**
 * Sends the server's webhooks: each event is recorded in the task store as a pending delivery for each
 * webhook that subscribes to it, then POSTed, signed, and retried with exponential backoff until a 2xx
 * answer or the last attempt. Every attempt is recorded. Pending deliveries are resumed from the store
 * at start-up, so a restart loses none. Events of one task are recorded in the order they are given.
 */
export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Per task, the recording of its last event: the next one is recorded after it. */
  readonly #recording = new Map<string, Promise<void>>();
  #closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
  }

  /** True when some webhook is configured. */
  get enabled(): boolean {
    return this.#options.hooks.length > 0;
  }

  /** Resumes the pending deliveries of the store (those an earlier run of the server left). */
  async start(): Promise<void> {
    if (!this.enabled) return;
    for (const delivery of await this.#options.store.pendingWebhookDeliveries()) this.#schedule(delivery);
  }

  /** Stops sending: timers are cleared and attempts under way are awaited; pending deliveries stay in the store. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#recording.values()]);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Records and sends `event` of `task` to every webhook that subscribes to it; never throws. */
  emit(task: Pick<TaskRecord, 'id' | 'name' | 'status'>, event: WebhookEvent, data: Record<string, unknown>): void {
    const hooks = this.#options.hooks.filter((hook) => hook.events.includes(event));
    if (hooks.length === 0 || this.#closed) return;
    const createdAt = new Date().toISOString();
    const previous = this.#recording.get(task.id) ?? Promise.resolve();
    const recorded = previous.then(async () => {
      for (const hook of hooks) {
        const id = newId('whd_');
        const payload: WebhookPayload = {
          id,
          event,
          createdAt,
          task: { id: task.id, name: task.name, status: task.status },
          data,
        };
        try {
          const delivery = await this.#options.store.createWebhookDelivery({
            id,
            taskId: task.id,
            url: hook.url,
            event,
            payload: JSON.stringify(payload),
          });
          this.#schedule(delivery);
        } catch (error) {
          this.#options.log(`webhook ${event} of ${task.id} to ${hook.url} not recorded: ${String(error)}`);
        }
      }
    });
    this.#recording.set(task.id, recorded);
    void recorded.finally(() => {
      if (this.#recording.get(task.id) === recorded) this.#recording.delete(task.id);
    });
  }

  #schedule(delivery: WebhookDelivery): void {
    if (this.#closed) return;
    const due = delivery.nextAttemptAt === null ? Date.now() : Date.parse(delivery.nextAttemptAt);
    const timer = setTimeout(
      () => {
        this.#timers.delete(delivery.id);
        const attempt = this.#attempt(delivery).catch((error: unknown) => {
          this.#options.log(`webhook delivery ${delivery.id} could not be recorded: ${String(error)}`);
        });
        this.#inFlight.add(attempt);
        void attempt.finally(() => this.#inFlight.delete(attempt));
      },
      Math.max(0, due - Date.now()),
    );
    this.#timers.set(delivery.id, timer);
  }

  async #attempt(delivery: WebhookDelivery): Promise<void> {
    const { store, log } = this.#options;
    const number = delivery.attempts.length + 1;
    const hook = this.#options.hooks.find((candidate) => candidate.url === delivery.url);
    const at = new Date();
    if (hook === undefined) {
      const attempt: WebhookAttempt = {
        attempt: number,
        at: at.toISOString(),
        statusCode: null,
        error: 'this webhook is no longer configured',
        durationMs: 0,
      };
      await store.recordWebhookAttempt(delivery.id, { attempt, status: 'failed', nextAttemptAt: null });
      return;
    }
    const { statusCode, error } = await post(hook, delivery, at);
    const attempt: WebhookAttempt = {
      attempt: number,
      at: at.toISOString(),
      statusCode,
      error,
      durationMs: Date.now() - at.getTime(),
    };
    if (error === null) {
      await store.recordWebhookAttempt(delivery.id, { attempt, status: 'delivered', nextAttemptAt: null });
      return;
    }
    const maxAttempts = hook.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (number >= maxAttempts) {
      log(
        `webhook ${delivery.event} of ${delivery.taskId} to ${delivery.url} failed after ${number} attempt(s): ${error}`,
      );
      await store.recordWebhookAttempt(delivery.id, { attempt, status: 'failed', nextAttemptAt: null });
      return;
    }
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(hook, number)).toISOString();
    const updated = await store.recordWebhookAttempt(delivery.id, { attempt, status: 'pending', nextAttemptAt });
    this.#schedule(updated);
  }
}

/** One POST of a delivery; `error` is null for a 2xx answer. */
async function post(
  hook: WebhookConfig,
  delivery: WebhookDelivery,
  at: Date,
): Promise<{ statusCode: number | null; error: string | null }> {
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'codecrew-webhooks',
        [EVENT_HEADER]: delivery.event,
        [DELIVERY_HEADER]: delivery.id,
        [TIMESTAMP_HEADER]: String(Math.floor(at.getTime() / 1000)),
        [SIGNATURE_HEADER]: signPayload(hook.secret, delivery.payload),
      },
      body: delivery.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { statusCode: response.status, error: null };
    return { statusCode: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      statusCode: null,
      error: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)),
    };
  }
}

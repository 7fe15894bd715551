import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isCodecrewError, type TraceEvent } from '@codecrew/core';
import type { Bus, Stoppable } from '@codecrew/bus';
import { jetStreamEventKey, type TaskStore } from '@codecrew/store';
import { foldEvent, type TaskSummary } from '../tasks/summary.ts';

/** How the feed reaches its stream, its store and its bookmark. */
export interface EventFeedOptions {
  bus: Bus;
  store: TaskStore;
  /** The JetStream stream the events are read from (part of every event's dedup key). */
  streamName: string;
  /** A small file that remembers how far the feed has read, so that a restart need not read the stream from the start. */
  positionFile: string;
  log(line: string): void;
}

/** Kinds of events after which a run of a task stops: its end, or its plan's wait for a decision. */
const RUN_END_KINDS = ['task.finished', 'plan.awaiting_approval'] as const;
type RunEndKind = (typeof RUN_END_KINDS)[number];

/** The key of {@link EventFeed.version} and {@link EventFeed.waitForChange} that changes with every task's. */
export const ANY_TASK = '*';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long the bookmark may lag behind; a restart reads again at most this much (and stores none of it twice). */
const POSITION_WRITE_DELAY_MS = 500;

/**
 * Copies every trace event from the bus's event stream into the task store, in stream order and each once
 * (its dedup key is its stream sequence), keeps the live summary of running tasks, and wakes whoever waits
 * for a task's next events (the SSE streams).
 */
export class EventFeed {
  readonly #options: EventFeedOptions;
  #follower: Stoppable | null = null;
  #stopped = false;
  #nextSeq = 1;
  #positionTimer: NodeJS.Timeout | null = null;
  /** Per task, bumped whenever something about it changed (an event stored, its status settled). */
  readonly #versions = new Map<string, number>();
  readonly #waiters = new Map<string, Set<() => void>>();
  /** `<taskId> <kind>` of run-ending events stored and not yet waited for. */
  readonly #finished = new Set<string>();
  readonly #summaries = new Map<string, TaskSummary>();

  constructor(options: EventFeedOptions) {
    this.#options = options;
  }

  /** Starts following the stream where the last run of the feed stopped. */
  async start(): Promise<void> {
    this.#nextSeq = this.#readPosition();
    this.#follower = await this.#options.bus.followEvents(this.#nextSeq, (event, seq) => this.#ingest(event, seq));
  }

  /** Stops following and writes the bookmark. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#follower?.stop();
    this.#writePosition();
  }

  /** Keeps the live summary of a running task (folded from each of its events, and saved with the task). */
  track(taskId: string, summary: TaskSummary): void {
    this.#summaries.set(taskId, summary);
  }

  /** Stops keeping a task's live summary (it has ended: its report's summary replaces it). */
  untrack(taskId: string): void {
    this.#summaries.delete(taskId);
  }

  /** A number that changes whenever something about the task changes; see {@link waitForChange}. */
  version(taskId: string): number {
    return this.#versions.get(taskId) ?? 0;
  }

  /** Tells whoever waits on the task, and whoever waits on {@link ANY_TASK}, that something changed (an event, or its status). */
  notify(taskId: string): void {
    this.#bump(taskId);
    if (taskId !== ANY_TASK) this.#bump(ANY_TASK);
  }

  #bump(key: string): void {
    this.#versions.set(key, this.version(key) + 1);
    const waiters = this.#waiters.get(key);
    if (waiters === undefined) return;
    this.#waiters.delete(key);
    for (const wake of waiters) wake();
  }

  /**
   * Resolves once the task's version differs from `since`, or after `timeoutMs`, or when `signal` aborts;
   * true when something changed.
   */
  waitForChange(taskId: string, since: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.version(taskId) !== since) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.get(taskId)?.delete(wake);
        resolve(changed);
      };
      const wake = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      let waiters = this.#waiters.get(taskId);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(taskId, waiters);
      }
      waiters.add(wake);
    });
  }

  /** Resolves true once the task's `task.finished` event is in the store, false after `timeoutMs`. */
  waitForFinished(taskId: string, timeoutMs: number): Promise<boolean> {
    return this.waitForEvent(taskId, 'task.finished', timeoutMs);
  }

  /**
   * Resolves true once an event of the task of a kind that ends a run (`task.finished`, or
   * `plan.awaiting_approval`) is in the store with the summary folded from it, false after `timeoutMs`.
   */
  async waitForEvent(taskId: string, kind: RunEndKind, timeoutMs: number): Promise<boolean> {
    const key = `${taskId} ${kind}`;
    const deadline = Date.now() + timeoutMs;
    while (!this.#finished.has(key)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.waitForChange(taskId, this.version(taskId), left);
    }
    this.#finished.delete(key);
    return true;
  }

  async #ingest(event: TraceEvent, seq: number): Promise<void> {
    const { store, streamName, log } = this.#options;
    const dedupKey = jetStreamEventKey(streamName, seq);
    for (let attempt = 0; !this.#stopped; attempt++) {
      try {
        await store.appendEvents(event.taskId, [{ event, dedupKey }]);
        break;
      } catch (error) {
        // Events of tasks this server does not know (deleted, or sent by another codecrew on the same NATS).
        if (isCodecrewError(error, 'TASK_NOT_FOUND')) return this.#advance(seq);
        if (attempt === 0) log(`event feed: cannot store an event of ${event.taskId}, retrying: ${String(error)}`);
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
    if (this.#stopped) return;
    const summary = this.#summaries.get(event.taskId);
    if (summary !== undefined && foldEvent(summary, event)) {
      await store.updateTask(event.taskId, { summary }).catch(() => undefined);
    }
    if (RUN_END_KINDS.includes(event.kind as RunEndKind)) this.#finished.add(`${event.taskId} ${event.kind}`);
    this.notify(event.taskId);
    this.#advance(seq);
  }

  #advance(seq: number): void {
    this.#nextSeq = seq + 1;
    this.#positionTimer ??= setTimeout(() => {
      this.#positionTimer = null;
      this.#writePosition();
    }, POSITION_WRITE_DELAY_MS);
  }

  #readPosition(): number {
    try {
      const saved = JSON.parse(readFileSync(this.#options.positionFile, 'utf8')) as {
        stream?: unknown;
        next?: unknown;
      };
      if (saved.stream === this.#options.streamName && typeof saved.next === 'number' && saved.next >= 1)
        return saved.next;
    } catch {
      // No bookmark (first start) or an unreadable one: read the stream from its start; the store keeps each event once.
    }
    return 1;
  }

  #writePosition(): void {
    if (this.#positionTimer !== null) {
      clearTimeout(this.#positionTimer);
      this.#positionTimer = null;
    }
    const { positionFile, streamName } = this.#options;
    try {
      mkdirSync(dirname(positionFile), { recursive: true });
      const temporary = `${positionFile}.tmp`;
      writeFileSync(temporary, JSON.stringify({ stream: streamName, next: this.#nextSeq }));
      renameSync(temporary, positionFile);
    } catch (error) {
      this.#options.log(`event feed: cannot write ${positionFile}: ${String(error)}`);
    }
  }
}

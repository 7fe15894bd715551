import type { ErrorData } from '@codecrew/core';
import type { ApiTaskStatus, TaskRecord, TaskStore } from '@codecrew/store';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';

/** What the scheduler needs: the store, the limit, and how to run and settle tasks. */
export interface SchedulerOptions {
  store: TaskStore;
  /** Tasks running at once. */
  maxTasks: number;
  /**
   * Runs a claimed (or resumed) task to its end and settles its status before it resolves; `signal` aborts
   * when it is cancelled.
   */
  run(record: TaskRecord, signal: AbortSignal): Promise<void>;
  /** Ends a task that will not run (or not run again): its status, a last event. */
  settle(record: TaskRecord, status: ApiTaskStatus, error: ErrorData | null): Promise<void>;
  log(line: string): void;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs the store's queued tasks, first in first out, at most `maxTasks` at once. Claiming a task and
 * cancelling one happen one at a time, so a cancelled queued task never starts.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #running = new Map<string, Running>();
  #queue: Promise<unknown> = Promise.resolve();
  #stopped = false;
  /** The most tasks that ran at once (what the scheduler promises never exceeds `maxTasks`). */
  #peak = 0;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running.size;
  }

  /** The most tasks that have run at once since the start. */
  get peak(): number {
    return this.#peak;
  }

  /** The limit of tasks at once. */
  get maxTasks(): number {
    return this.#options.maxTasks;
  }

  /** True once {@link stop} was called: outcomes arriving after it are not recorded. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Resumes the tasks the store has as running (a server on this store stopped while they ran: they go on
   * from their last checkpoint), then starts queued ones.
   */
  async start(): Promise<void> {
    await this.#exclusive(async () => {
      for (const record of await this.#options.store.tasksWithStatus(['running'])) {
        if (record.cancelRequested) {
          await this.#options.settle(record, 'cancelled', {
            code: 'CANCELLED',
            message: 'the task was cancelled by request',
            retryable: false,
          });
          continue;
        }
        this.#options.log(`task ${record.id} (${record.name}) resumes from its last checkpoint`);
        this.#launch(record);
      }
    });
    this.pump();
  }

  /** Starts queued tasks while there is room. */
  pump(): void {
    void this.#exclusive(async () => {
      while (!this.#stopped && this.#running.size < this.#options.maxTasks) {
        const record = await this.#options.store.claimNextQueued();
        if (record === null) return;
        this.#launch(record);
      }
    }).catch((error: unknown) => this.#options.log(`scheduler: cannot start queued tasks: ${String(error)}`));
  }

  /**
   * Cancels a task: a queued one ends at once without starting; a running one is aborted (its jobs stop, its
   * sandboxes go). Resolves with the task as it is once it has ended or `waitMs` passed. TASK_NOT_FOUND,
   * or TASK_ENDED when it had already ended otherwise (cancelling a cancelled task answers it as it is).
   */
  async cancel(id: string, waitMs: number): Promise<TaskRecord> {
    const { store } = this.#options;
    const running = await this.#exclusive(async () => {
      const record = await store.getTask(id);
      if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
      if (record.status === 'cancelled') return null;
      if (hasEnded(record.status)) {
        throw apiError('TASK_ENDED', `task ${id} has already ended (${record.status}); nothing to cancel`, {
          id,
          status: record.status,
        });
      }
      const requested = await store.updateTask(id, { cancelRequested: true });
      if (record.status === 'queued') {
        await this.#options.settle(requested, 'cancelled', {
          code: 'CANCELLED',
          message: 'the task was cancelled before it started',
          retryable: false,
        });
        return null;
      }
      const entry = this.#running.get(id);
      entry?.controller.abort('cancelled by request');
      return entry ?? null;
    });
    if (running !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running.done, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    const record = await store.getTask(id);
    if (record === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
    return record;
  }

  /** Stops starting tasks; running ones are left as they are (a restart resumes them). */
  stop(): void {
    this.#stopped = true;
  }

  #launch(record: TaskRecord): void {
    const controller = new AbortController();
    const done = this.#options
      .run(record, controller.signal)
      .catch((error: unknown) => this.#options.log(`task ${record.id}: ${String(error)}`))
      .finally(() => {
        this.#running.delete(record.id);
        this.pump();
      });
    this.#running.set(record.id, { controller, done });
    this.#peak = Math.max(this.#peak, this.#running.size);
  }

  /** Runs `work` after every earlier exclusive work has settled. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

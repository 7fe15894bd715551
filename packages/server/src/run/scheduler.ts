import type { ErrorData, PlanVerdict } from '@codecrew/core';
import type { ApiTaskStatus, TaskRecord, TaskStore } from '@codecrew/store';
import { apiError } from '../http/errors.ts';
import { hasEnded } from '../tasks/status.ts';
import { summaryOf } from '../tasks/summary.ts';
import { approvalOf, withDecision } from '../tasks/approval.ts';
import { ApprovalTimers } from './approval-timers.ts';

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

/** A decision on a plan as a client sends it: who and when are filled in by the scheduler when absent. */
export type PlanDecisionInput = Omit<PlanVerdict, 'by' | 'at'> & { by?: string | undefined };

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
  /** The deadlines of plans awaiting approval with a `spec.plan.timeout`. */
  readonly #timers = new ApprovalTimers((id, action) => this.#decideOnTimeout(id, action));

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
      // Tasks awaiting approval hold no slot; only their deadlines need to be kept (measured from when they began waiting).
      for (const record of await this.#options.store.tasksWithStatus(['awaiting_approval'])) this.#armTimer(record);
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
      if (record.status === 'awaiting_approval') {
        this.#timers.clear(id);
        await this.#options.settle(requested, 'cancelled', {
          code: 'CANCELLED',
          message: 'the task was cancelled while its plan awaited approval',
          retryable: false,
        });
        return null;
      }
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

  /**
   * Decides on the plan of a task awaiting approval: the decision is stored with the task, which goes back
   * to the queue (ahead of tasks submitted after it) to resume its graph with it once a slot is free.
   * TASK_NOT_FOUND, or TASK_NOT_AWAITING_APPROVAL when the task does not wait for a decision.
   */
  async decidePlan(id: string, decision: PlanDecisionInput): Promise<TaskRecord> {
    const record = await this.#exclusive(async () => {
      const { store } = this.#options;
      const found = await store.getTask(id);
      if (found === null) throw apiError('TASK_NOT_FOUND', `no task ${id}`, { id });
      const summary = summaryOf(found.summary);
      const approval = approvalOf(summary.approval);
      if (found.status !== 'awaiting_approval' || approval === null || approval.decision !== null) {
        throw apiError(
          'TASK_NOT_AWAITING_APPROVAL',
          `task ${id} is ${found.status}; only a task whose plan awaits approval takes a decision on it`,
          { id, status: found.status },
        );
      }
      const verdict: PlanVerdict = { ...decision, by: decision.by ?? 'api', at: new Date().toISOString() };
      this.#timers.clear(id);
      return store.updateTask(id, {
        status: 'queued',
        summary: { ...summary, approval: withDecision(approval, verdict) },
      });
    });
    this.#options.log(`task ${id} (${record.name}): plan ${PAST[decision.action]} by ${decision.by ?? 'api'}`);
    this.pump();
    return record;
  }

  /** Stops starting tasks; running ones are left as they are (a restart resumes them). */
  stop(): void {
    this.#stopped = true;
    this.#timers.clearAll();
  }

  #armTimer(record: TaskRecord): void {
    const approval = approvalOf(summaryOf(record.summary).approval);
    if (approval?.deadline) this.#timers.arm(record.id, approval.deadline, approval.onTimeout);
  }

  async #decideOnTimeout(id: string, action: 'approve' | 'cancel'): Promise<void> {
    const reason = 'the wait for a decision reached spec.plan.timeout';
    await this.decidePlan(id, { action: action === 'approve' ? 'approve' : 'reject', by: 'timeout', reason }).catch(
      (error: unknown) => this.#options.log(`task ${id}: plan timeout: ${String(error)}`),
    );
  }

  #launch(record: TaskRecord): void {
    const controller = new AbortController();
    const done = this.#options
      .run(record, controller.signal)
      .catch((error: unknown) => this.#options.log(`task ${record.id}: ${String(error)}`))
      .finally(async () => {
        this.#running.delete(record.id);
        this.pump();
        // A run that stopped at its plan's wait: its deadline, if it has one, starts counting.
        const now = await this.#options.store.getTask(record.id).catch(() => null);
        if (!this.#stopped && now?.status === 'awaiting_approval') this.#armTimer(now);
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

const PAST: Record<PlanVerdict['action'], string> = { approve: 'approved', reject: 'rejected', edit: 'edited' };

/** The longest delay `setTimeout` keeps (about 24.8 days); longer waits are re-armed in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * One timer per task whose plan awaits approval with a deadline: at the deadline `onDeadline` is called
 * with what `spec.plan.onTimeout` says. A deadline already past (the server was down) fires at once.
 */
export class ApprovalTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #onDeadline: (taskId: string, action: 'approve' | 'cancel') => Promise<void>;

  constructor(onDeadline: (taskId: string, action: 'approve' | 'cancel') => Promise<void>) {
    this.#onDeadline = onDeadline;
  }

  /** Arms (or re-arms) the task's timer for `deadline` (ISO 8601). */
  arm(taskId: string, deadline: string, action: 'approve' | 'cancel'): void {
    this.clear(taskId);
    const left = Math.max(0, Date.parse(deadline) - Date.now());
    const timer = setTimeout(
      () => {
        this.#timers.delete(taskId);
        if (left > MAX_DELAY_MS) this.arm(taskId, deadline, action);
        else void this.#onDeadline(taskId, action);
      },
      Math.min(left, MAX_DELAY_MS),
    );
    timer.unref();
    this.#timers.set(taskId, timer);
  }

  /** Forgets the task's timer (a decision came first). */
  clear(taskId: string): void {
    const timer = this.#timers.get(taskId);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(taskId);
  }

  /** Forgets every timer (the server stops; a restart arms them again from the stored deadlines). */
  clearAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

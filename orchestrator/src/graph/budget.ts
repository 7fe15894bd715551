import { CodecrewError, addUsage, emptyUsage, type JobResult, type Usage } from '@codecrew/core';
import type { ResolvedTask } from '../task/resolve.ts';

/**
 * A task's budgets: tokens, cost and wall-clock time. No new job starts once
 * one is used up; the task then ends as `budget_exhausted`, keeping what was
 * merged so far.
 */
export class TaskBudget {
  spent: Usage = emptyUsage();
  /** Why the budget is exhausted, once it is. */
  exhausted: string | null = null;
  private readonly deadline: number | null;

  constructor(
    private readonly limits: ResolvedTask['budget'],
    startedAt = Date.now(),
  ) {
    this.deadline = limits.maxDurationMs === null ? null : startedAt + limits.maxDurationMs;
  }

  /** Adds a finished job's usage; a job stopped by its own budget exhausts the task's. */
  record(result: JobResult): void {
    this.spent = addUsage(this.spent, result.usage);
    if (result.error?.code === 'BUDGET_EXHAUSTED') this.exhausted ??= result.error.message;
  }

  /** Marks the time budget as used up. */
  expire(): void {
    this.exhausted ??= `the task ran past budget.maxDuration (${this.limits.maxDurationMs} ms)`;
  }

  /** Throws BUDGET_EXHAUSTED when no new job may start. */
  check(): void {
    const tokens = this.spent.promptTokens + this.spent.completionTokens;
    if (this.exhausted === null && this.limits.maxTokens !== null && tokens >= this.limits.maxTokens) {
      this.exhausted = `the task used ${tokens} tokens of its budget of ${this.limits.maxTokens} (budget.maxTokens)`;
    }
    if (this.exhausted === null && this.limits.maxCostUsd !== null && this.spent.costUsd >= this.limits.maxCostUsd) {
      this.exhausted = `the task cost $${this.spent.costUsd.toFixed(4)} of its budget of $${this.limits.maxCostUsd} (budget.maxCostUsd)`;
    }
    if (this.exhausted === null && this.deadline !== null && Date.now() >= this.deadline) this.expire();
    if (this.exhausted !== null) throw new CodecrewError('BUDGET_EXHAUSTED', this.exhausted);
  }

  /** What is left for one job's model calls. */
  remaining(): { maxTokens?: number; maxCostUsd?: number } {
    const left: { maxTokens?: number; maxCostUsd?: number } = {};
    if (this.limits.maxTokens !== null)
      left.maxTokens = Math.max(0, this.limits.maxTokens - this.spent.promptTokens - this.spent.completionTokens);
    if (this.limits.maxCostUsd !== null) left.maxCostUsd = Math.max(0, this.limits.maxCostUsd - this.spent.costUsd);
    return left;
  }
}

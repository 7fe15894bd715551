import { CodecrewError, type Usage } from '@codecrew/core';

/** What is left of the task's budgets for one job's model calls. */
export interface JobBudget {
  maxTokens?: number | undefined;
  maxCostUsd?: number | undefined;
}

/** Throws `BUDGET_EXHAUSTED` once the job's usage has reached what was left of the task's budget. */
export function checkJobBudget(usage: Usage, budget: JobBudget | undefined): void {
  if (!budget) return;
  const tokens = usage.promptTokens + usage.completionTokens;
  if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) {
    throw new CodecrewError(
      'BUDGET_EXHAUSTED',
      `the task's token budget ran out in this job (${tokens} tokens used, ${budget.maxTokens} were left)`,
    );
  }
  if (budget.maxCostUsd !== undefined && usage.costUsd >= budget.maxCostUsd) {
    throw new CodecrewError(
      'BUDGET_EXHAUSTED',
      `the task's cost budget ran out in this job ($${usage.costUsd.toFixed(4)} spent, $${budget.maxCostUsd.toFixed(4)} were left)`,
    );
  }
}

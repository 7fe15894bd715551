import type { Bus } from '@codecrew/bus';
import type { TraceKind, Usage } from '@codecrew/core';

/** What the graph's nodes need besides their state; never checkpointed. */
export interface GraphDeps {
  bus: Bus;
  /** Publishes an orchestrator event for the task. */
  emit(kind: TraceKind, message: string, data?: Record<string, unknown>): void;
  /** Aborted when the task is cancelled. */
  signal: AbortSignal;
  /** Model usage of every job finished so far in this run, for budgets. */
  spent: Usage;
}

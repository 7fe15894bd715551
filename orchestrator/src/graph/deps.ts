import type { Bus } from '@codecrew/bus';
import type { TraceKind } from '@codecrew/core';
import type { TaskBudget } from './budget.ts';
import type { Slots } from './slots.ts';

/** What the graph's nodes need besides their state; never checkpointed. */
export interface GraphDeps {
  bus: Bus;
  /** Publishes an orchestrator event for the task. */
  emit(kind: TraceKind, message: string, data?: Record<string, unknown>): void;
  /** Aborted when the task is cancelled. */
  signal: AbortSignal;
  /** Tokens, cost and time; no new job starts once one is used up. */
  budget: TaskBudget;
  /** Coder jobs at once: the task's `parallelism`. */
  coderSlots: Slots;
  /**
   * Work done once per task run, by key (see `remember`): tree uploads, coders'
   * changed files, diffs, and what finalize needs, started ahead of the node that uses it.
   */
  memo: Map<string, Promise<unknown>>;
  /**
   * Run when the task run ends, however it ends: they stop work started ahead
   * that waits for input it will never get (git processes started early).
   */
  atEnd: Array<() => void>;
  /**
   * The task's checkpoints existed before this run (it picks up where an
   * earlier run stopped): only then can a job already have a result, so only
   * then is the results stream asked before a job is sent.
   */
  resumed: boolean;
}

/**
 * A value kept for each task run (each `GraphDeps`), made on first use: the
 * run's registries that are not promises, so not for `memo`.
 */
export function perRun<T>(make: () => T): (deps: GraphDeps) => T {
  const values = new WeakMap<GraphDeps, T>();
  return (deps) => {
    let value = values.get(deps);
    if (value === undefined) {
      value = make();
      values.set(deps, value);
    }
    return value;
  };
}

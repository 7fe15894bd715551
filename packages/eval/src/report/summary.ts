import { wilsonInterval, type Interval } from '../interval.ts';
import type { EvalSet, InstanceResult } from '../result.ts';

/** The totals of one set. Resolved % counts every instance run; errors are also counted apart. */
export interface SetSummary {
  set: EvalSet;
  instances: number;
  resolved: number;
  unresolved: number;
  errors: number;
  /** resolved / instances, as a percentage. */
  resolvedPct: number;
  /** The 95% Wilson interval of the resolved rate, in percent. */
  interval: Interval;
  costUsd: number;
  tokens: number;
  modelCalls: number;
  wallMs: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** The totals of the results of `set`. */
export function summarize(set: EvalSet, results: InstanceResult[]): SetSummary {
  const mine = results.filter((result) => result.set === set);
  const resolved = mine.filter((result) => result.outcome === 'resolved').length;
  const errors = mine.filter((result) => result.outcome === 'error').length;
  const interval = wilsonInterval(resolved, mine.length);
  const sum = (pick: (result: InstanceResult) => number) => mine.reduce((total, result) => total + pick(result), 0);
  return {
    set,
    instances: mine.length,
    resolved,
    unresolved: mine.length - resolved - errors,
    errors,
    resolvedPct: mine.length === 0 ? 0 : round((100 * resolved) / mine.length, 1),
    interval: { low: round(100 * interval.low, 1), high: round(100 * interval.high, 1) },
    costUsd: round(
      sum((result) => result.costUsd),
      6,
    ),
    tokens: sum((result) => result.tokens),
    modelCalls: sum((result) => result.modelCalls),
    wallMs: sum((result) => result.wallMs),
  };
}

/** `crew` minus `solo`: what decomposing into a crew changed. */
export interface SetComparison {
  resolvedPctPoints: number;
  costUsd: number;
  wallMs: number;
}

/** The difference crew − solo in resolved %, cost and wall time. */
export function compareSets(solo: SetSummary, crew: SetSummary): SetComparison {
  return {
    resolvedPctPoints: round(crew.resolvedPct - solo.resolvedPct, 1),
    costUsd: round(crew.costUsd - solo.costUsd, 6),
    wallMs: crew.wallMs - solo.wallMs,
  };
}

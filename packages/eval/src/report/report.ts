import type { InstanceProblem } from '../load.ts';
import type { EvalSet, InstanceResult } from '../result.ts';
import { compareSets, summarize, type SetComparison, type SetSummary } from './summary.ts';

/** report.json of an eval run. */
export interface EvalReport {
  version: 1;
  instancesFile: string;
  /** The model given with --model; `gold` for --gold. */
  model: string;
  sets: EvalSet[];
  /** Why the run stopped before every instance ran (`budget`), or null. */
  stopped: string | null;
  startedAt: string;
  finishedAt: string;
  summaries: SetSummary[];
  /** crew − solo, for a run with both sets. */
  comparison: SetComparison | null;
  /** Instance lines skipped as invalid. */
  skipped: InstanceProblem[];
  /** Instances not run (the budget ran out first), by set. */
  notRun: Array<{ instance_id: string; set: EvalSet }>;
  results: InstanceResult[];
}

/** Builds the report from the results; summaries and the comparison are computed here. */
export function buildReport(fields: Omit<EvalReport, 'version' | 'summaries' | 'comparison'>): EvalReport {
  const summaries = fields.sets.map((set) => summarize(set, fields.results));
  const solo = summaries.find((summary) => summary.set === 'solo');
  const crew = summaries.find((summary) => summary.set === 'crew');
  return {
    version: 1,
    ...fields,
    summaries,
    comparison: solo !== undefined && crew !== undefined ? compareSets(solo, crew) : null,
  };
}

/**
 * Quick mode (`BENCH_QUICK=1`): few samples, small sizes, short scripted
 * replies; proves a suite still runs and reports, its figures mean nothing.
 */
export const QUICK = process.env.BENCH_QUICK === '1';

/** What one benchmark suite hands back to `bench/run.ts`. */
export interface SuiteReport {
  /** The suite's figures: written as `result` of `<suite>.json`, beside the commit, date and machine. */
  json: Record<string, unknown>;
  /** Starts with a `# ` heading; `run.ts` adds the commit, date and machine below it and writes `<suite>.md`. */
  markdown: string;
}

/** A suite module (`bench/<name>.ts`) exports `run`; `log` prints progress. */
export type SuiteRun = (log: (line: string) => void) => Promise<SuiteReport>;

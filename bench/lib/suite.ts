/** What one benchmark suite hands back to `bench/run.ts`. */
export interface SuiteReport {
  /** Written to `bench/results/<suite>.json`. */
  json: unknown;
  /** Written to `bench/results/<suite>.md`. */
  markdown: string;
}

/** A suite module (`bench/<name>.ts`) exports `run`; `log` prints progress. */
export type SuiteRun = (log: (line: string) => void) => Promise<SuiteReport>;

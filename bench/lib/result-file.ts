import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { provenanceMarkdown, type Provenance } from './provenance.ts';
import type { SuiteReport } from './suite.ts';

/** The content of `<suite>.json`: where the figures come from, then the figures. */
export interface ResultFile extends Provenance {
  suite: string;
  /** Made in quick mode: the suite ran, its figures are not to be compared. */
  quick: boolean;
  /** How long the whole suite took. */
  durationMs: number;
  result: Record<string, unknown>;
}

/** Writes `<dir>/<suite>.json` and `<dir>/<suite>.md`, each recording the commit, the date and the machine. */
export async function writeResult(dir: string, file: ResultFile, report: SuiteReport): Promise<void> {
  const [heading, ...rest] = report.markdown.split('\n');
  const markdown = [heading, '', ...provenanceMarkdown(file, file.quick), ...rest].join('\n');
  await writeFile(join(dir, `${file.suite}.json`), `${JSON.stringify(file, null, 2)}\n`);
  await writeFile(join(dir, `${file.suite}.md`), markdown);
}

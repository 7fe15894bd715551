import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bus } from '@codecrew/bus';
import type { TaskStateValue } from '../graph/state.ts';

/**
 * Writes the full log of every test run to `<outDir>/logs/tests-r<round>.log`,
 * so the evidence outlives the run's artifact store; returns the path per
 * round. A log that cannot be read is left out (the report keeps its excerpt).
 */
export async function saveTestLogs(
  bus: Bus,
  outDir: string,
  runs: TaskStateValue['testRuns'],
): Promise<Map<number, string>> {
  const paths = new Map<number, string>();
  for (const run of runs) {
    if (run.log === undefined) continue;
    const bytes = await bus.getArtifact(run.log).catch(() => null);
    if (bytes === null) continue;
    const path = join(outDir, 'logs', `tests-r${run.round}.log`);
    await mkdir(join(outDir, 'logs'), { recursive: true });
    await writeFile(path, bytes);
    paths.set(run.round, path);
  }
  return paths;
}

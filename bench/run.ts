import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { provenance } from './lib/provenance.ts';
import { writeResult } from './lib/result-file.ts';
import { updateReadmeIndex } from './lib/results-index.ts';
import { QUICK, type SuiteRun } from './lib/suite.ts';

/**
 * Runs benchmark suites: every `bench/<name>.ts` (except this file) that
 * exports `run`, or only those named on the command line:
 *   npm run bench                        # all suites, into bench/results
 *   npm run bench -- sandbox             # one
 *   BENCH_QUICK=1 npm run bench          # quick mode, into a new temporary directory
 *   npm run bench -- --out dir crew      # into dir
 *   npm run bench -- --index             # only rewrite the results list in bench/README.md
 * Each writes `<out>/<name>.json` and `.md`, recording the commit, the date and the machine.
 */
const here = dirname(fileURLToPath(import.meta.url));
const committed = join(here, 'results');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, index: { type: 'boolean', default: false } },
});
if (values.index) {
  await updateReadmeIndex(join(here, 'README.md'), committed);
  console.log('bench/README.md: results list rewritten');
  process.exit(0);
}
const available = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const unknown = positionals.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const out =
  values.out !== undefined
    ? resolve(values.out)
    : QUICK
      ? await mkdtemp(join(tmpdir(), 'codecrew-bench-quick-'))
      : committed;
const intoCommitted = !relative(committed, out).startsWith('..');
if (QUICK && intoCommitted) {
  console.error(
    `quick mode never writes into bench/results (asked for ${out}); leave out --out or name another directory`,
  );
  process.exit(2);
}
await mkdir(out, { recursive: true });
const root = resolve(here, '..');
for (const name of positionals.length > 0 ? positionals : available) {
  const suite = (await import(`./${name}.ts`)) as { run?: SuiteRun };
  if (typeof suite.run !== 'function') continue;
  console.log(`# ${name}${QUICK ? ' (quick mode)' : ''}`);
  const started = new Date();
  // Recorded before the suite runs: the commit and source measured are those the suite started with.
  const origin = await provenance(root, started);
  const report = await suite.run((line) => console.log(`  ${line}`));
  const durationMs = Date.now() - started.getTime();
  await writeResult(out, { suite: name, quick: QUICK, ...origin, durationMs, result: report.json }, report);
  if (intoCommitted) await updateReadmeIndex(join(here, 'README.md'), committed);
  console.log(`# ${name} done in ${Math.round(durationMs / 1000)} s; results in ${join(out, name)}.{json,md}\n`);
  console.log(report.markdown);
}

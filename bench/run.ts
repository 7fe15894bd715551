import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteRun } from './lib/suite.ts';

/**
 * Runs benchmark suites: every `bench/<name>.ts` (except this file) that
 * exports `run`, or only those named on the command line:
 *   npm run bench                # all suites
 *   npm run bench -- sandbox     # one
 * Each writes `bench/results/<name>.json` and `.md`.
 */
const here = dirname(fileURLToPath(import.meta.url));
const available = (await readdir(here)).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
await mkdir(join(here, 'results'), { recursive: true });
for (const name of wanted.length > 0 ? wanted : available) {
  const suite = (await import(`./${name}.ts`)) as { run?: SuiteRun };
  if (typeof suite.run !== 'function') continue;
  console.log(`# ${name}`);
  const started = Date.now();
  const report = await suite.run((line) => console.log(`  ${line}`));
  await writeFile(join(here, 'results', `${name}.json`), `${JSON.stringify(report.json, null, 2)}\n`);
  await writeFile(join(here, 'results', `${name}.md`), report.markdown);
  console.log(`# ${name} done in ${Math.round((Date.now() - started) / 1000)} s; results in bench/results/${name}.{json,md}\n`);
  console.log(report.markdown);
}

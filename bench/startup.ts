import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/support/cli.ts';
import { buildPackages } from '../test/support/install.ts';
import { summarize, type Summary } from './lib/stats.ts';
import { QUICK, type SuiteRun } from './lib/suite.ts';

/**
 * How fast codecrew starts and how much memory it takes: wall time and peak resident memory of
 * `codecrew --help`, `codecrew validate examples/tasks/demo.yaml` and `codecrew sandbox ls`, run by the
 * built package (`npm run build`, the bin of the installable `codecrew` package) and by the repository's
 * bin from sources through tsx, side by side with `node -e 0` in the same run, interleaved.
 */

const REPETITIONS = QUICK ? 2 : 15;
/** Targets for the built command, as multiples of `node -e 0`'s median wall time. */
const TARGETS = { help: 3, validate: 5 };
const BUILT_BIN = join(ROOT, 'packages/codecrew/bin/codecrew.js');
const SOURCE_BIN = join(ROOT, 'packages/cli/bin/codecrew.js');
const DEMO_TASK = join(ROOT, 'examples/tasks/demo.yaml');

interface Case {
  id: string;
  what: string;
  args: string[];
}

const CASES: Case[] = [
  { id: 'node', what: '`node -e 0`', args: ['-e', '0'] },
  ...(
    [
      ['help', '--help'],
      ['validate', 'validate examples/tasks/demo.yaml'],
      ['sandbox-ls', 'sandbox ls'],
    ] as const
  ).flatMap(([id, command]) => {
    const args = command.split(' ').map((arg) => (arg === 'examples/tasks/demo.yaml' ? DEMO_TASK : arg));
    return [
      { id: `built-${id}`, what: `\`codecrew ${command}\`, built`, args: [BUILT_BIN, ...args] },
      { id: `sources-${id}`, what: `\`codecrew ${command}\`, from sources (tsx)`, args: [SOURCE_BIN, ...args] },
    ];
  }),
];

interface Row {
  id: string;
  what: string;
  wallMs: Summary;
  peakRssMiB: Summary;
  exitCodes: number[];
}

/** One run under /usr/bin/time: wall milliseconds, peak resident memory in MiB, exit code. */
function measure(args: string[], out: string): { wallMs: number; peakRssMiB: number; exitCode: number } {
  const started = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, ...args], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const wallMs = performance.now() - started;
  const peakKiB = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
  return { wallMs, peakRssMiB: peakKiB / 1024, exitCode: child.status ?? -1 };
}

export const run: SuiteRun = async (log) => {
  log('building the packages (npm run build)');
  buildPackages();
  const out = join(mkdtempSync(join(tmpdir(), 'codecrew-bench-startup-')), 'time.txt');
  const samples = new Map(
    CASES.map((c) => [c.id, { wall: [] as number[], rss: [] as number[], codes: [] as number[] }]),
  );
  for (const c of CASES) measure(c.args, out); // one warm-up each: file cache, Node's compile cache
  const loadBefore = loadavg();
  for (let i = 0; i < REPETITIONS; i++) {
    for (const c of CASES) {
      const m = measure(c.args, out);
      const s = samples.get(c.id)!;
      s.wall.push(m.wallMs);
      s.rss.push(m.peakRssMiB);
      s.codes.push(m.exitCode);
    }
  }
  const loadAfter = loadavg();
  const rows: Row[] = CASES.map((c) => {
    const s = samples.get(c.id)!;
    return {
      id: c.id,
      what: c.what,
      wallMs: summarize(s.wall),
      peakRssMiB: summarize(s.rss),
      exitCodes: [...new Set(s.codes)],
    };
  });
  const median = (id: string) => rows.find((r) => r.id === id)!.wallMs.median;
  const node = median('node');
  const ratio = (id: string) => Math.round((median(id) / node) * 100) / 100;
  const targets = {
    help: { max: TARGETS.help, ratio: ratio('built-help'), met: ratio('built-help') <= TARGETS.help },
    validate: {
      max: TARGETS.validate,
      ratio: ratio('built-validate'),
      met: ratio('built-validate') <= TARGETS.validate,
    },
  };
  const verdict = (met: boolean) => (met ? 'met' : 'missed');
  const fixed = (averages: number[]) => averages.map((x) => x.toFixed(2)).join(' ');
  const markdown = [
    '# Startup',
    '',
    `Each command run ${REPETITIONS} times, interleaved, after one warm-up run each, with cwd at the repository root.`,
    'Wall time from spawn to exit (measured in the parent), peak resident memory from `/usr/bin/time -f %M`.',
    '*Built*: `packages/codecrew/bin/codecrew.js`, the bin of the installable package, on the built `dist/`;',
    `*from sources*: the repository's bin, which compiles TypeScript through tsx. Load average before / after: ${fixed(loadBefore)} / ${fixed(loadAfter)}.`,
    '',
    '| command | wall median | wall p95 (max) | × node -e 0 | peak memory median | exit code |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${Math.round(r.wallMs.median)} ms | ${Math.round(r.wallMs.p95)} ms | ${ratio(r.id)} | ${r.peakRssMiB.median.toFixed(0)} MiB | ${r.exitCodes.join(', ')} |`,
    ),
    '',
    '| target (built) | ratio | result |',
    '|---|---:|---|',
    `| \`--help\` ≤ ${TARGETS.help}× \`node -e 0\` | ${targets.help.ratio} | ${verdict(targets.help.met)} |`,
    `| \`validate\` ≤ ${TARGETS.validate}× \`node -e 0\` | ${targets.validate.ratio} | ${verdict(targets.validate.met)} |`,
    '',
  ].join('\n');
  log(
    `--help ${targets.help.ratio}× node -e 0 (target ≤ ${TARGETS.help}×: ${verdict(targets.help.met)}), validate ${targets.validate.ratio}× (target ≤ ${TARGETS.validate}×: ${verdict(targets.validate.met)})`,
  );
  return {
    json: { repetitions: REPETITIONS, rows, targets, loadAverage: { before: loadBefore, after: loadAfter } },
    markdown,
  };
};

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDirFor } from '../support/cli.ts';

const run = promisify(execFile);
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const BENCH = join(ROOT, 'bench');
const summary = {
  n: expect.any(Number),
  median: expect.any(Number),
  p95: expect.any(Number),
  min: expect.any(Number),
  max: expect.any(Number),
};

/** Every suite `bench/run.ts` would run: a new benchmark is covered without touching this file. */
async function suites(): Promise<string[]> {
  return (await readdir(BENCH))
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3))
    .sort();
}

/** A digest of every committed result file, to prove quick mode leaves them alone. */
async function committedResults(): Promise<Record<string, string>> {
  const dir = join(BENCH, 'results');
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(
    await Promise.all(
      names.map(async (f) => [
        f,
        createHash('sha256')
          .update(await readFile(join(dir, f)))
          .digest('hex'),
      ]),
    ),
  );
}

function quick(args: string[]) {
  return run(TSX, ['--conditions=development', join(BENCH, 'run.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BENCH_QUICK: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('benchmarks in quick mode (BENCH_QUICK=1)', () => {
  let out: string;
  let before: Record<string, string>;
  let json: Record<string, Record<string, unknown>>;
  let markdown: Record<string, string>;

  beforeAll(async () => {
    out = await tempDirFor('bench quick');
    before = await committedResults();
    await quick(['--out', out]);
    json = {};
    markdown = {};
    for (const name of await suites()) {
      json[name] = JSON.parse(await readFile(join(out, `${name}.json`), 'utf8')) as Record<string, unknown>;
      markdown[name] = await readFile(join(out, `${name}.md`), 'utf8');
    }
  }, 600_000);

  afterAll(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it('runs every suite and records the commit, the date, the machine and the source size in each result', async () => {
    for (const name of await suites()) {
      expect(json[name]).toMatchObject({
        suite: name,
        quick: true,
        commit: expect.stringMatching(/^[0-9a-f]{40}(-dirty)?$/),
        measuredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        durationMs: expect.any(Number),
        machine: {
          cores: expect.any(Number),
          cpuModel: expect.any(String),
          memoryBytes: expect.any(Number),
          node: process.version,
          docker: expect.any(String),
          os: expect.any(String),
        },
        sourceLines: { total: expect.any(Number), byPackage: expect.any(Object) },
        result: expect.any(Object),
      });
      const commit = String(json[name]?.commit);
      expect(markdown[name]).toMatch(/^# .+\n\nMeasured \S+ at commit `/);
      expect(markdown[name]).toContain(commit);
      expect(markdown[name]).toContain('quick mode');
    }
  });

  it('leaves the committed results in bench/results untouched', async () => {
    expect(await committedResults()).toEqual(before);
  });

  it('sandbox: reports every measurement with its summary, and a 1 MB repository row', () => {
    const result = json.sandbox?.result as { rows: unknown[]; sizes: unknown[]; image: unknown };
    expect(result.image).toEqual(expect.any(String));
    const ids = [
      'cli-docker-run',
      'cli-docker-exec',
      'api-exec',
      'api-create-start',
      'cold-ready',
      'cold-create',
      'runner-round-trip',
      'runner-echo',
      'warm-ready',
      'warm-create',
    ];
    expect(result.rows).toEqual(ids.map((id) => ({ id, what: expect.any(String), ...summary })));
    expect(result.sizes).toEqual([{ mb: 1, workspace: summary, cold: summary, warm: summary }]);
  });

  it('crew: reports a parallel and a sequential run with efficiency, overhead and its breakdown', () => {
    const result = json.crew?.result as { latencyMs: unknown; rows: Array<Record<string, unknown>>; targets: unknown };
    expect(result.latencyMs).toEqual(expect.any(Number));
    const measured = (parallelism: number) => ({
      n: 2,
      parallelism,
      wallMs: expect.any(Number),
      codePhaseMs: expect.any(Number),
      overheadMs: expect.any(Number),
      status: 'approved',
      breakdown: {
        prepare: expect.any(Number),
        plan: expect.any(Number),
        code: expect.any(Number),
        integrate: expect.any(Number),
        test: expect.any(Number),
        review: expect.any(Number),
        finalize: expect.any(Number),
        between: expect.any(Number),
      },
    });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({
      n: 2,
      parallel: measured(2),
      sequential: measured(1),
      speedup: expect.any(Number),
      codeEfficiency: expect.any(Number),
      taskEfficiency: expect.any(Number),
      overheadShare: expect.any(Number),
    });
    expect(result.targets).toEqual({ n: 8, codeEfficiency: 0.9, overheadShare: 0.08, met: null });
  });

  it('context: reports a windowed run and one without a window, with tokens, peak, reductions and prefix shares', () => {
    const result = json.context?.result as { runs: unknown[]; targets: unknown };
    const measured = (contextWindow: number | null) => ({
      contextWindow,
      steps: 30,
      stepRequests: expect.any(Number),
      compactRequests: expect.any(Number),
      promptTokens: expect.any(Number),
      compactPromptTokens: expect.any(Number),
      peakPromptTokens: expect.any(Number),
      overWindow: 0,
      elisions: expect.any(Number),
      compactions: expect.any(Number),
      prefix: {
        extending: expect.any(Number),
        reduced: expect.any(Number),
        shareMedian: expect.any(Number),
        shareMin: expect.any(Number),
        shareMean: expect.any(Number),
        cacheableShare: expect.any(Number),
      },
    });
    expect(result.runs).toEqual([measured(16_000), measured(null)]);
    expect(result.targets).toEqual({ prefixShare: 0.9, neverOverWindow: true, met: expect.any(Boolean) });
  });

  it('serve: reports throughput against the ideal, memory, read latencies and errors of tasks on codecrew serve', () => {
    const result = json.serve?.result as Record<string, unknown>;
    expect(result).toMatchObject({
      tasks: 3,
      maxTasks: 2,
      latencyMs: expect.any(Number),
      soloMs: expect.any(Number),
      wallMs: expect.any(Number),
      idealMs: expect.any(Number),
      efficiency: expect.any(Number),
      taskRunMs: summary,
      queueWaitMs: summary,
      statuses: { approved: 3 },
      errors: { submit: 0, tasks: 0, reads: 0, total: 0 },
      memory: { peakRssBytes: expect.any(Number), hwmBytes: expect.any(Number) },
      reads: { list: summary, view: summary },
      loadAverage: { before: expect.any(Array), after: expect.any(Array) },
      targets: {
        efficiency: 0.85,
        errors: 0,
        readP95Ms: 50,
        met: {
          efficiency: expect.any(Boolean),
          errors: true,
          listP95: expect.any(Boolean),
          viewP95: expect.any(Boolean),
        },
      },
    });
    expect((result.memory as { hwmBytes: number }).hwmBytes).toBeGreaterThan(0);
    expect((result.reads as { list: { n: number } }).list.n).toBeGreaterThan(0);
  });

  it('viewer: reports open time, heap and scroll frames of a 2,000-event trace, and the targets', () => {
    const result = json.viewer?.result as { sizes: Array<Record<string, unknown>>; targets: unknown };
    expect(result).toMatchObject({ loads: 1, scrollSteps: expect.any(Number), longFrameMs: 50 });
    expect(result.sizes).toEqual([
      {
        events: expect.any(Number),
        traceBytes: expect.any(Number),
        openMs: { ...summary, n: 1 },
        heapUsedBytes: { ...summary, n: 1 },
        scroll: [
          {
            target: '.event-scroll',
            scrolls: true,
            steps: expect.any(Number),
            frameMs: summary,
            longFrameShare: expect.any(Number),
          },
          // Nine lanes fit: the lanes' area has no scrollbar of its own; the page below them scrolls.
          { target: '.swimlanes', scrolls: false, steps: 0, frameMs: null, longFrameShare: null },
          {
            target: 'page',
            scrolls: true,
            steps: expect.any(Number),
            frameMs: summary,
            longFrameShare: expect.any(Number),
          },
        ],
      },
    ]);
    expect(result.sizes[0]?.events).toBeGreaterThanOrEqual(2000);
    expect(result.targets).toEqual({
      openMs: 2000,
      openAt: 20_000,
      frameP95Ms: 50,
      met: { open: null, frameP95: expect.any(Boolean) },
    });
  });

  it('startup: reports wall time and peak memory of each command, built and from sources, beside node -e 0, and the targets', () => {
    const result = json.startup?.result as { rows: Array<Record<string, unknown>>; targets: unknown };
    expect(result.rows.map((row) => row.id)).toEqual([
      'node',
      'built-help',
      'sources-help',
      'built-validate',
      'sources-validate',
      'built-sandbox-ls',
      'sources-sandbox-ls',
    ]);
    for (const row of result.rows) {
      expect(row).toEqual({
        id: expect.any(String),
        what: expect.any(String),
        wallMs: { ...summary, n: 2 },
        peakRssMiB: { ...summary, n: 2 },
        exitCodes: [0],
      });
    }
    expect(result.targets).toEqual({
      help: { max: 3, ratio: expect.any(Number), met: expect.any(Boolean) },
      validate: { max: 5, ratio: expect.any(Number), met: expect.any(Boolean) },
    });
    expect(markdown.startup).toContain('| `--help` ≤ 3× `node -e 0` |');
  });

  it('refuses to write quick results into bench/results', async () => {
    const refused = await quick(['--out', join(BENCH, 'results'), 'sandbox']).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('quick mode never writes into bench/results');
  });
});

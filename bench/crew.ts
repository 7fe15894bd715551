import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskSpec, type Config } from '@codecrew/core';
import { connectBus, startEmbeddedNats } from '@codecrew/bus';
import { ModelScript } from '@codecrew/llm';
import { DockerSandboxProvider } from '@codecrew/sandbox';
import { AgentWorker } from '@codecrew/agents';
import { loadConfig, resolveTask, runTask, type TaskReport } from '@codecrew/orchestrator';
import { TEXTKIT, makeGitRepo } from '../test/support/cli.ts';
import type { SuiteRun } from './lib/suite.ts';
import { overheadBreakdown, type OverheadBreakdown } from './lib/overhead.ts';
import { startModelServerThread } from './lib/model-server-thread.ts';

/** Model latency of every scripted reply, as the issue sets it. */
const LATENCY_MS = 2000;
// BENCH_CREW_SIZES=1,2 runs a shorter benchmark.
const SIZES = (process.env.BENCH_CREW_SIZES ?? '1,2,4,8').split(',').map(Number);
// BENCH_TRACE_DIR=path keeps each run's trace.jsonl and report.json there.
const TRACE_DIR = process.env.BENCH_TRACE_DIR;
// BENCH_CREW_REPEAT=3 runs every configuration three times and reports the run of median overhead.
const REPEAT = Math.max(1, Number(process.env.BENCH_CREW_REPEAT ?? '1') || 1);
// BENCH_CREW_WARMUP=0 measures the first run of each parallel configuration too (see WARMUP below).
const WARMUP = Math.max(0, Number(process.env.BENCH_CREW_WARMUP ?? '1') || 0);
// BENCH_CREW_SEQUENTIAL=0 skips the one-at-a-time runs (no efficiency then): for quick looks at the overhead.
const SEQUENTIAL = process.env.BENCH_CREW_SEQUENTIAL !== '0';
const TEST_COMMAND = 'node --test test/words.test.js';

function script(n: number) {
  const ids = Array.from({ length: n }, (_, i) => `s${i + 1}`);
  return ModelScript.parse({
    version: 1,
    latency_ms: LATENCY_MS,
    rules: [
      {
        match: { agent: 'planner' },
        replies: [
          {
            tool_calls: [
              {
                name: 'submit_plan',
                args: { summary: `${n} independent subtasks`, subtasks: ids.map((id) => ({ id, title: id, description: `add src/${id}.js`, files: [`src/${id}.js`], depends_on: [] })) },
              },
            ],
          },
        ],
      },
      ...ids.map((id) => ({
        match: { agent: 'coder', subtask: id },
        replies: [
          { tool_calls: [{ name: 'write_file', args: { path: `src/${id}.js`, content: `export const ${id} = '${id}';\n` } }] },
          { tool_calls: [{ name: 'finish', args: { summary: `added ${id}` } }] },
        ],
      })),
      { match: { agent: 'reviewer' }, replies: [{ tool_calls: [{ name: 'submit_review', args: { verdict: 'approve', summary: 'ok', comments: [] } }] }] },
    ],
  });
}

interface Measured {
  n: number;
  parallelism: number;
  wallMs: number;
  codePhaseMs: number;
  criticalModelMs: number;
  criticalCommandMs: number;
  overheadMs: number;
  status: string;
  breakdown: OverheadBreakdown;
  /** Every run's overhead, when a configuration ran more than once. */
  overheadSamplesMs?: number[];
  /** The overhead of the unmeasured first runs (warm-up) of a parallel configuration. */
  warmupOverheadMs?: number[];
}

function phases(report: TaskReport): Map<string, TaskReport['jobs']> {
  const groups = new Map<string, TaskReport['jobs']>();
  for (const job of report.jobs) {
    const key = `${job.role}:${job.round}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return groups;
}

/** Wall time minus the model latency and command time on the critical path: what codecrew itself costs. */
function measure(report: TaskReport, n: number, parallelism: number, breakdown: OverheadBreakdown): Measured {
  let criticalModelMs = 0;
  let criticalCommandMs = 0;
  for (const [key, jobs] of phases(report)) {
    const serial = key.startsWith('coder') && parallelism === 1;
    const costs = jobs.map((job) => ({ model: job.usage.calls * LATENCY_MS, command: job.commands.reduce((sum, c) => sum + c.durationMs, 0) }));
    if (serial) {
      criticalModelMs += costs.reduce((sum, c) => sum + c.model, 0);
      criticalCommandMs += costs.reduce((sum, c) => sum + c.command, 0);
    } else {
      const longest = costs.reduce((best, c) => (c.model + c.command > best.model + best.command ? c : best), { model: 0, command: 0 });
      criticalModelMs += longest.model;
      criticalCommandMs += longest.command;
    }
  }
  const coders = report.jobs.filter((j) => j.role === 'coder');
  const codePhaseMs = Math.max(...coders.map((j) => Date.parse(j.finishedAt))) - Math.min(...coders.map((j) => Date.parse(j.startedAt)));
  const wallMs = report.timings.durationMs;
  return { n, parallelism, wallMs, codePhaseMs, criticalModelMs, criticalCommandMs, overheadMs: wallMs - criticalModelMs - criticalCommandMs, status: report.status, breakdown };
}

/** The run whose overhead is the median of the runs (the lower middle one for an even count). */
function medianRun(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.overheadMs - b.overheadMs);
  return { ...(sorted[Math.floor((sorted.length - 1) / 2)] as Measured), overheadSamplesMs: runs.map((r) => Math.round(r.overheadMs)) };
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(x * 100).toFixed(1)}%`);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The crew benchmark: N = 1, 2, 4, 8 independent subtasks with 2 s of model
 * latency per reply, run with N coders at once and then one after another.
 */
export const run: SuiteRun = async (log) => {
  const dir = await mkdtemp(join(tmpdir(), 'codecrew-bench-crew-'));
  // Open to the sandbox user like the CLI's data directory (mkdtemp makes it private).
  await chmod(dir, 0o755);
  const nats = await startEmbeddedNats({ dataDir: join(dir, 'nats') });
  const bus = await connectBus({ servers: nats.url, name: 'bench-crew', prefix: 'bench' });
  // A long-lived worker, as in production: its warm pool is full when a task arrives.
  const sandboxes = new DockerSandboxProvider({ warm: 8, stateDir: join(dir, 'sandboxes') });
  const worker = new AgentWorker({ bus, sandboxes, workRoot: join(dir, 'work'), concurrency: { coder: 8, tester: 2, planner: 2, reviewer: 2 } });
  await worker.start();
  const config: Config = { ...loadConfig({ cwd: dir, env: {} }), dataDir: join(dir, 'data') };
  const results: Measured[] = [];
  try {
    for (const n of SIZES) {
      // On its own thread, like a remote model: the crew's work on this thread does not delay its replies.
      const server = await startModelServerThread(script(n));
      try {
        for (const parallelism of SEQUENTIAL ? [n, 1] : [n]) {
          if (n === 1 && parallelism === 1 && results.some((r) => r.n === 1)) continue;
          const runs: Measured[] = [];
          const warmups: Measured[] = [];
          // A parallel configuration first runs WARMUP times unmeasured: a fresh scripted model server (which
          // stands in for a remote model, warm for every task) and N coders at once run for the first time.
          const first = parallelism === n ? 1 - WARMUP : 1;
          for (let attempt = first; attempt <= REPEAT; attempt++) {
            const warmup = attempt < 1;
            const label = `${n}-${parallelism}${warmup ? `-warmup${1 - attempt}` : REPEAT > 1 ? `-${attempt}` : ''}`;
            const repo = await makeGitRepo(TEXTKIT, join(dir, `repo-${label}`));
            const spec = TaskSpec.parse({
              apiVersion: 'codecrew/v1',
              kind: 'Task',
              metadata: { name: `bench-${label}` },
              spec: { repo: { path: repo }, prompt: `add ${n} files`, parallelism, test: { command: TEST_COMMAND }, review: { maxRounds: 0 } },
            });
            const task = resolveTask(spec, config, { specDir: dir, modelOverride: 'scripted-bench' });
            for (const role of Object.keys(task.models) as Array<keyof typeof task.models>) task.models[role] = { name: 'scripted-bench', baseURL: server.url };
            // Each run starts on a settled host: the last run's containers removed, the warm pool full again.
            await worker.drain();
            await Promise.all([sandboxes.prewarm(task.sandbox), sandboxes.prewarm(task.sandbox, { readOnly: true })]);
            const outcome = await runTask({ task, bus, checkpointPath: join(dir, 'checkpoints.sqlite') });
            const measured = measure(outcome.report, n, parallelism, await overheadBreakdown(outcome.files.trace, outcome.report, LATENCY_MS));
            if (TRACE_DIR) {
              await mkdir(TRACE_DIR, { recursive: true });
              await copyFile(outcome.files.trace, join(TRACE_DIR, `crew-${label}.jsonl`));
              await copyFile(outcome.files.reportJson, join(TRACE_DIR, `crew-${label}.report.json`));
            }
            (warmup ? warmups : runs).push(measured);
            log(`N=${n} parallelism=${parallelism}${warmup ? ' warm-up' : REPEAT > 1 ? ` run ${attempt}/${REPEAT}` : ''}: ${outcome.status}, wall ${sec(measured.wallMs)}, code phase ${sec(measured.codePhaseMs)}, overhead ${sec(measured.overheadMs)} (${pct(measured.overheadMs / measured.wallMs)})`);
          }
          results.push({ ...medianRun(runs), warmupOverheadMs: warmups.map((w) => Math.round(w.overheadMs)) });
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await worker.stop();
    await sandboxes.close();
    await bus.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const rows = SIZES.map((n) => {
    const parallel = results.find((r) => r.n === n && r.parallelism === n) as Measured;
    const sequential = n === 1 ? parallel : (results.find((r) => r.n === n && r.parallelism === 1) ?? null);
    return {
      n,
      parallel,
      sequential,
      speedup: sequential ? sequential.wallMs / parallel.wallMs : Number.NaN,
      taskEfficiency: sequential ? sequential.wallMs / (n * parallel.wallMs) : Number.NaN,
      codeEfficiency: sequential ? sequential.codePhaseMs / (n * parallel.codePhaseMs) : Number.NaN,
      overheadShare: parallel.overheadMs / parallel.wallMs,
    };
  });
  const at8 = rows.find((r) => r.n === 8);
  const markdown = [
    '# Crew benchmark',
    '',
    `N independent subtasks; every scripted model reply takes ${LATENCY_MS} ms; a coder makes 2 model calls; the test command is \`${TEST_COMMAND}\`; real NATS, Docker and git. "parallel" runs N coders at once, "sequential" one after another (parallelism 1).`,
    '',
    '| N | parallel wall | sequential wall | speedup | code-phase efficiency | whole-task efficiency | overhead (parallel) | overhead share |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.n} | ${sec(r.parallel.wallMs)} | ${r.sequential ? sec(r.sequential.wallMs) : '—'} | ${r.sequential ? `${r.speedup.toFixed(2)}×` : '—'} | ${pct(r.codeEfficiency)} | ${pct(r.taskEfficiency)} | ${sec(r.parallel.overheadMs)} | ${pct(r.overheadShare)} |`,
    ),
    '',
    'Code-phase efficiency = sequential code-phase wall time / (N × parallel code-phase wall time): how well N coders overlap. Whole-task efficiency includes the planner, tests and review, which do not parallelize (Amdahl).',
    'Overhead = wall time − model latency − command time on the critical path (plan, the longest coder of each wave, test, review): container start, NATS, git merges, checkpoints.',
    REPEAT > 1
      ? `Each configuration ran ${REPEAT} times; the table shows the run of median overhead. Every parallel run's overhead (ms): ${rows.map((r) => `N = ${r.n}: ${(r.parallel.overheadSamplesMs ?? []).join(', ')}`).join('; ')}.`
      : 'Each configuration ran once (`BENCH_CREW_REPEAT` runs each several times).',
    WARMUP > 0
      ? `Before its measured runs, each parallel configuration ran ${WARMUP === 1 ? 'once' : `${WARMUP} times`} unmeasured (warm-up: a fresh scripted model server, which stands in for a remote model that is warm for every task, and N coders at once run for the first time in the process); its overhead (ms): ${rows.map((r) => `N = ${r.n}: ${(r.parallel.warmupOverheadMs ?? []).join(', ')}`).join('; ')}. \`BENCH_CREW_WARMUP=0\` measures those runs too.`
      : 'No warm-up runs (`BENCH_CREW_WARMUP=0`).',
    '',
    '## Where the overhead goes (parallel runs, ms)',
    '',
    'Each step\'s wall time minus the model and command time inside it; "between" is the time outside every step (start, hand-overs between steps, end).',
    '',
    '| N | prepare | plan | code | integrate | test | review | finalize | between | total |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const b = r.parallel.breakdown;
      const cells = [b.prepare, b.plan, b.code, b.integrate, b.test, b.review, b.finalize, b.between].map((ms) => String(Math.round(ms)));
      return `| ${r.n} | ${cells.join(' | ')} | ${Math.round(r.parallel.overheadMs)} |`;
    }),
    '',
    at8
      ? `Targets at N = 8: parallel efficiency ≥ 80% — code phase ${pct(at8.codeEfficiency)} (${at8.codeEfficiency >= 0.8 ? 'met' : 'not met'}); overhead ≤ 3% of wall time — ${(at8.overheadShare * 100).toFixed(2)}% (${Math.round(at8.parallel.overheadMs)} ms of ${sec(at8.parallel.wallMs)}; ${at8.overheadShare <= 0.03 ? 'met' : 'not met'}).`
      : '',
    '',
  ].join('\n');
  return { json: { latencyMs: LATENCY_MS, repeat: REPEAT, warmup: WARMUP, rows }, markdown };
};

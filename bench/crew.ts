import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskSpec, type Config } from '@codecrew/core';
import { connectBus, startEmbeddedNats } from '@codecrew/bus';
import { ModelScript } from '@codecrew/llm';
import { DockerSandboxProvider } from '@codecrew/sandbox';
import { AgentWorker } from '@codecrew/agents';
import { loadConfig, openCheckpointStore, resolveTask, runTask } from '@codecrew/orchestrator';
import { TEXTKIT, makeGitRepo } from '../test/support/cli.ts';
import { QUICK, type SuiteRun } from './lib/suite.ts';
import { overheadBreakdown } from './lib/overhead.ts';
import { crewRows, measure, medianRun, type Measured } from './lib/crew-measure.ts';
import { crewMarkdown, crewTargets, pct, sec } from './lib/crew-report.ts';
import { startModelServerThread } from './lib/model-server-thread.ts';

// Model latency of every scripted reply: 2000 ms as the issues set it (quick mode: 100 ms); BENCH_CREW_LATENCY_MS changes it.
const LATENCY_MS = Math.max(0, Number(process.env.BENCH_CREW_LATENCY_MS ?? (QUICK ? '100' : '2000')) || 0);
// BENCH_CREW_SIZES=1,2 runs a shorter benchmark (quick mode: 2).
const SIZES = (process.env.BENCH_CREW_SIZES ?? (QUICK ? '2' : '1,2,4,8')).split(',').map(Number);
// BENCH_TRACE_DIR=path keeps each run's trace.jsonl and report.json there.
const TRACE_DIR = process.env.BENCH_TRACE_DIR;
// BENCH_CREW_REPEAT=3 runs every configuration three times and reports the run of median overhead.
const REPEAT = Math.max(1, Number(process.env.BENCH_CREW_REPEAT ?? '1') || 1);
// BENCH_CREW_WARMUP=0 measures the first run of each parallel configuration too (see WARMUP below; quick mode: 0).
const WARMUP = Math.max(0, Number(process.env.BENCH_CREW_WARMUP ?? (QUICK ? '0' : '1')) || 0);
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
                args: {
                  summary: `${n} independent subtasks`,
                  subtasks: ids.map((id) => ({
                    id,
                    title: id,
                    description: `add src/${id}.js`,
                    files: [`src/${id}.js`],
                    depends_on: [],
                  })),
                },
              },
            ],
          },
        ],
      },
      ...ids.map((id) => ({
        match: { agent: 'coder', subtask: id },
        replies: [
          {
            tool_calls: [
              { name: 'write_file', args: { path: `src/${id}.js`, content: `export const ${id} = '${id}';\n` } },
            ],
          },
          { tool_calls: [{ name: 'finish', args: { summary: `added ${id}` } }] },
        ],
      })),
      {
        match: { agent: 'reviewer' },
        replies: [
          { tool_calls: [{ name: 'submit_review', args: { verdict: 'approve', summary: 'ok', comments: [] } }] },
        ],
      },
    ],
  });
}

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
  const sandboxes = new DockerSandboxProvider({ warm: Math.max(...SIZES), stateDir: join(dir, 'sandboxes') });
  const worker = new AgentWorker({
    bus,
    sandboxes,
    workRoot: join(dir, 'work'),
    concurrency: { coder: 8, tester: 2, planner: 2, reviewer: 2 },
  });
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
              spec: {
                repo: { path: repo },
                prompt: `add ${n} files`,
                parallelism,
                test: { command: TEST_COMMAND },
                review: { maxRounds: 0 },
              },
            });
            const task = resolveTask(spec, config, { specDir: dir, modelOverride: 'scripted-bench' });
            for (const role of Object.keys(task.models) as Array<keyof typeof task.models>)
              task.models[role] = { name: 'scripted-bench', baseURL: server.url };
            // Each run starts on a settled host: the last run's containers removed, the warm pool full again.
            await worker.drain();
            await Promise.all([sandboxes.prewarm(task.sandbox), sandboxes.prewarm(task.sandbox, { readOnly: true })]);
            const checkpoints = await openCheckpointStore({ sqliteFile: join(dir, 'checkpoints.sqlite') });
            const outcome = await runTask({ task, bus, checkpoints });
            if (outcome.status === 'awaiting_approval') throw new Error('bench tasks do not wait for plan approval');
            const measured = measure(
              outcome.report,
              n,
              parallelism,
              await overheadBreakdown(outcome.files.trace, outcome.report, LATENCY_MS),
              LATENCY_MS,
            );
            if (TRACE_DIR) {
              await mkdir(TRACE_DIR, { recursive: true });
              await copyFile(outcome.files.trace, join(TRACE_DIR, `crew-${label}.jsonl`));
              await copyFile(outcome.files.reportJson, join(TRACE_DIR, `crew-${label}.report.json`));
            }
            (warmup ? warmups : runs).push(measured);
            log(
              `N=${n} parallelism=${parallelism}${warmup ? ' warm-up' : REPEAT > 1 ? ` run ${attempt}/${REPEAT}` : ''}: ${outcome.status}, wall ${sec(measured.wallMs)}, code phase ${sec(measured.codePhaseMs)}, overhead ${sec(measured.overheadMs)} (${pct(measured.overheadMs / measured.wallMs)})`,
            );
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
  const rows = crewRows(SIZES, results);
  const settings = { latencyMs: LATENCY_MS, repeat: REPEAT, warmup: WARMUP, testCommand: TEST_COMMAND };
  return {
    json: { ...settings, sizes: SIZES, sequential: SEQUENTIAL, rows, targets: crewTargets(rows) },
    markdown: crewMarkdown(rows, settings),
  };
};

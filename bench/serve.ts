import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskList } from '@codecrew/server';
import { TEXTKIT, makeGitRepo } from '../test/support/cli.ts';
import { buildPackages } from '../test/support/install.ts';
import { INSTALLED_CLI, api, startServe, submitYaml, type ServeProcess } from '../test/support/serve.ts';
import { QUICK, type SuiteRun } from './lib/suite.ts';
import { summarize } from './lib/stats.ts';
import { machineCpu, sampleMemory, sampleReads } from './lib/serve-probes.ts';
import { SERVE_TEST_COMMAND, serveScript, serveTaskYaml } from './lib/serve-task.ts';
import { serveMarkdown, serveTargets, type ServeFigures } from './lib/serve-report.ts';
import { pct, sec } from './lib/crew-report.ts';

const setting = (name: string, full: string, quick: string, min: number): number =>
  Math.max(min, Number(process.env[name] ?? (QUICK ? quick : full)) || min);
// Tasks posted at once (quick mode: 3).
const TASKS = setting('BENCH_SERVE_TASKS', '50', '3', 1);
// `codecrew serve --max-tasks` (quick mode: 2).
const MAX_TASKS = setting('BENCH_SERVE_MAX_TASKS', '8', '2', 1);
// The scripted model's latency per reply (quick mode: 100 ms).
const LATENCY_MS = setting('BENCH_SERVE_LATENCY_MS', '2000', '100', 0);
// Unmeasured tasks run alone first, so that the measured one finds a warm server (quick mode: 0).
const WARMUP = setting('BENCH_SERVE_WARMUP', '1', '0', 0);
const ENDED = ['approved', 'not_approved', 'failed', 'cancelled', 'budget_exhausted'];

type Listed = TaskList['tasks'][number];

/** The tasks named `names` as the list shows them, once every one has ended. */
async function whenEnded(url: string, names: Set<string>, timeoutMs: number): Promise<Listed[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(url, `/v1/tasks?limit=500`);
    const tasks = TaskList.parse(body).tasks.filter((task) => names.has(task.name));
    if (tasks.length === names.size && tasks.every((task) => ENDED.includes(task.status))) return tasks;
    if (Date.now() > deadline) throw new Error(`tasks still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const at = (iso: string | null): number => Date.parse(iso ?? '');

/**
 * What the trace of tasks `ids` tells: the sandboxes they started ("sandbox … ready") and, per step of the
 * graph, its wall time in each task: from its first `node.started` to its last `node.finished` (parallel
 * runs of a step count once).
 */
async function fromTraces(url: string, ids: string[]): Promise<{ sandboxes: number; steps: Map<string, number[]> }> {
  let sandboxes = 0;
  const steps = new Map<string, number[]>();
  for (const id of ids) {
    const response = await fetch(`${url}/v1/tasks/${id}/events?format=jsonl`);
    const spans = new Map<string, { from: number; to: number }>();
    for (const line of (await response.text()).split('\n')) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as { kind: string; at: string; data?: { sandbox?: unknown; node?: unknown } };
      if (event.kind === 'log' && typeof event.data?.sandbox === 'string') sandboxes += 1;
      const node = event.data?.node;
      if (typeof node !== 'string') continue;
      const time = Date.parse(event.at);
      if (event.kind === 'node.started' && !spans.has(node)) spans.set(node, { from: time, to: time });
      const span = spans.get(node);
      if (event.kind === 'node.finished' && span !== undefined) span.to = time;
    }
    for (const [node, span] of spans) steps.set(node, [...(steps.get(node) ?? []), span.to - span.from]);
  }
  return { sandboxes, steps };
}

/** Posts one task, waits for it alone and returns its time from created to ended. */
async function alone(
  serve: ServeProcess,
  repo: string,
  name: string,
): Promise<{ id: string; ms: number; status: string }> {
  const answer = await submitYaml(serve.url, serveTaskYaml(name, repo));
  if (answer.status !== 201)
    throw new Error(`POST /v1/tasks answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const [task] = await whenEnded(serve.url, new Set([name]), 600_000);
  if (task === undefined) throw new Error(`task ${name} is not listed`);
  return { id: task.id, ms: at(task.ended_at) - at(task.created_at), status: task.status };
}

/**
 * The serve benchmark: a real `codecrew serve --max-tasks 8` on a scripted model at 2000 ms a reply takes
 * 50 tasks at once; their throughput against 50 × one task alone ÷ 8, the server's peak memory, and the
 * latency of the task reads while they run.
 */
export const run: SuiteRun = async (log) => {
  const dir = await mkdtemp(join(tmpdir(), 'codecrew-bench-serve-'));
  // Open to the sandbox user like the CLI's data directory (mkdtemp makes it private).
  await chmod(dir, 0o755);
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  const script = join(dir, 'serve.script.yaml');
  await writeFile(script, serveScript(LATENCY_MS));
  // The measured server is the command as users install it: the built JavaScript. Quick mode, a check of
  // the benchmark itself, runs the sources (a build there would race the install test's).
  if (!QUICK) {
    log('building the packages (npm run build) to measure the installed command');
    buildPackages();
  }
  const serve = await startServe(
    ['--max-tasks', String(MAX_TASKS), '--model', `scripted:${script}`, '--data-dir', join(dir, 'data')],
    { cwd: dir, ...(QUICK ? {} : { cli: INSTALLED_CLI }) },
  );
  const pid = serve.child.pid;
  if (pid === undefined) throw new Error('codecrew serve has no process id');
  const memory = sampleMemory(pid, 250);
  let figures: ServeFigures;
  try {
    for (let i = 1; i <= WARMUP; i++) {
      const warm = await alone(serve, repo, `warmup-${i}`);
      log(`warm-up task ${i}: ${warm.status} in ${sec(warm.ms)}`);
    }
    const solo = await alone(serve, repo, 'alone');
    log(`one task alone: ${solo.status} in ${sec(solo.ms)}`);

    const names = Array.from({ length: TASKS }, (_, i) => `batch-${i + 1}`);
    const ids: string[] = [];
    const loadBefore = loadavg();
    const cpuBefore = await machineCpu();
    const reads = sampleReads(serve.url, () => ids, 25);
    const answers = await Promise.all(names.map((name) => submitYaml(serve.url, serveTaskYaml(name, repo))));
    for (const answer of answers) if (answer.status === 201) ids.push((answer.body as { id: string }).id);
    const submitErrors = answers.filter((answer) => answer.status !== 201).length;
    log(`${ids.length} of ${TASKS} tasks queued`);
    const tasks = await whenEnded(serve.url, new Set(names), 3_600_000);
    const cpuAfter = await machineCpu();
    const readSamples = await reads.stop();
    const loadAfter = loadavg();
    const batchTraces = await fromTraces(serve.url, ids);
    const soloTrace = await fromTraces(serve.url, [solo.id]);
    const wallMs = Math.max(...tasks.map((t) => at(t.ended_at))) - Math.min(...tasks.map((t) => at(t.created_at)));
    const idealMs = (TASKS * solo.ms) / MAX_TASKS;
    const statuses: Record<string, number> = {};
    for (const task of tasks) statuses[task.status] = (statuses[task.status] ?? 0) + 1;
    const failedTasks =
      tasks.filter((task) => task.status !== 'approved').length + (solo.status === 'approved' ? 0 : 1);
    const peak = await memory.stop();
    figures = {
      soloMs: solo.ms,
      wallMs,
      idealMs,
      efficiency: idealMs / wallMs,
      taskRunMs: summarize(tasks.map((t) => at(t.ended_at) - at(t.started_at))),
      queueWaitMs: summarize(tasks.map((t) => at(t.started_at) - at(t.created_at))),
      statuses,
      errors: {
        submit: submitErrors,
        tasks: failedTasks,
        reads: readSamples.errors.length,
        total: submitErrors + failedTasks + readSamples.errors.length,
      },
      memory: { peakRssBytes: peak.peakRss, hwmBytes: peak.hwm },
      reads: { list: summarize(readSamples.list), view: summarize(readSamples.view) },
      loadAverage: { before: loadBefore, after: loadAfter },
      machineCpu: {
        busySeconds: cpuAfter.busy - cpuBefore.busy,
        busyShare: (cpuAfter.busy - cpuBefore.busy) / Math.max(0.001, cpuAfter.total - cpuBefore.total),
        cores: availableParallelism(),
      },
      sandboxesPerTask: batchTraces.sandboxes / Math.max(1, ids.length),
      steps: [...batchTraces.steps].map(([node, times]) => ({
        node,
        aloneMs: soloTrace.steps.get(node)?.[0] ?? 0,
        batch: summarize(times),
      })),
    };
    for (const error of readSamples.errors.slice(0, 5)) log(`read error: ${error.path}: ${error.status}`);
    log(
      `${TASKS} tasks in ${sec(wallMs)} against an ideal of ${sec(idealMs)}: ${pct(figures.efficiency)}; errors ${figures.errors.total}; reads p95 ${figures.reads.list.p95} / ${figures.reads.view.p95} ms`,
    );
  } finally {
    await memory.stop();
    await serve.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const settings = {
    tasks: TASKS,
    maxTasks: MAX_TASKS,
    latencyMs: LATENCY_MS,
    warmup: WARMUP,
    testCommand: SERVE_TEST_COMMAND,
  };
  return {
    json: { ...settings, ...figures, targets: serveTargets(figures) },
    markdown: serveMarkdown(figures, settings),
  };
};

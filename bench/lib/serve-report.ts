import type { Summary } from './stats.ts';
import { pct, sec } from './crew-report.ts';

/** The serve targets: throughput against the ideal for the concurrency, no errors, quick reads. */
export const SERVE_TARGET = { efficiency: 0.85, errors: 0, readP95Ms: 50 } as const;

/** How the serve run was made. */
export interface ServeSettings {
  tasks: number;
  maxTasks: number;
  latencyMs: number;
  warmup: number;
  testCommand: string;
}

/** The figures of one serve run. */
export interface ServeFigures {
  /** One task alone on the server: created to ended. */
  soloMs: number;
  /** The batch: first created to last ended. */
  wallMs: number;
  /** tasks × soloMs ÷ maxTasks. */
  idealMs: number;
  /** idealMs ÷ wallMs. */
  efficiency: number;
  /** Each batch task's own run time (started to ended), beside soloMs. */
  taskRunMs: Summary;
  /** Each batch task's wait in the queue (created to started). */
  queueWaitMs: Summary;
  statuses: Record<string, number>;
  /** Submissions that were not 2xx, tasks that did not end approved, reads that failed or were not 2xx. */
  errors: { submit: number; tasks: number; reads: number; total: number };
  /** The server process: the highest VmRSS sampled and its VmHWM, in bytes. */
  memory: { peakRssBytes: number; hwmBytes: number };
  reads: { list: Summary; view: Summary };
  loadAverage: { before: number[]; after: number[] };
  /** The whole machine during the batch (`/proc/stat`): CPU-seconds used, and that share of every core's time. */
  machineCpu: { busySeconds: number; busyShare: number; cores: number };
  /** Sandboxes the batch tasks started (their "sandbox … ready" trace events), per task. */
  sandboxesPerTask: number;
  /** Each step of the graph (first `node.started` to last `node.finished` in a task): the task alone, and the batch's. */
  steps: { node: string; aloneMs: number; batch: Summary }[];
}

/** Whether each target is met. */
export function serveTargets(f: ServeFigures): typeof SERVE_TARGET & {
  met: { efficiency: boolean; errors: boolean; listP95: boolean; viewP95: boolean };
} {
  return {
    ...SERVE_TARGET,
    met: {
      efficiency: f.efficiency >= SERVE_TARGET.efficiency,
      errors: f.errors.total === SERVE_TARGET.errors,
      listP95: f.reads.list.p95 <= SERVE_TARGET.readP95Ms,
      viewP95: f.reads.view.p95 <= SERVE_TARGET.readP95Ms,
    },
  };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const yes = (met: boolean): string => (met ? 'met' : '**missed**');
const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');

/** The Markdown report of a serve run. */
export function serveMarkdown(f: ServeFigures, s: ServeSettings): string {
  const t = serveTargets(f);
  return [
    `# serve: ${s.tasks} tasks at once on \`codecrew serve --max-tasks ${s.maxTasks}\``,
    '',
    `Scripted model at ${s.latencyMs} ms a reply; each task has two independent subtasks (two coders at once), runs \`${s.testCommand}\` and no review rounds; ${s.warmup} unmeasured warm-up task(s) first. Load average (1, 5, 15 min) before: ${load(f.loadAverage.before)}; after: ${load(f.loadAverage.after)}.`,
    '',
    '## Targets',
    '',
    '| what | measured | target | |',
    '|---|---:|---:|---|',
    `| throughput: ideal ÷ actual wall time | ${pct(f.efficiency)} | ≥ ${pct(SERVE_TARGET.efficiency)} | ${yes(t.met.efficiency)} |`,
    `| errors | ${f.errors.total} | ${SERVE_TARGET.errors} | ${yes(t.met.errors)} |`,
    `| \`GET /v1/tasks\` p95 | ${ms(f.reads.list.p95)} | ≤ ${SERVE_TARGET.readP95Ms} ms | ${yes(t.met.listP95)} |`,
    `| \`GET /v1/tasks/{id}\` p95 | ${ms(f.reads.view.p95)} | ≤ ${SERVE_TARGET.readP95Ms} ms | ${yes(t.met.viewP95)} |`,
    '',
    '## Figures',
    '',
    '| what | value |',
    '|---|---:|',
    `| one task alone (created → ended) | ${sec(f.soloMs)} |`,
    `| ideal for ${s.tasks} tasks, ${s.maxTasks} at once (${s.tasks} × alone ÷ ${s.maxTasks}) | ${sec(f.idealMs)} |`,
    `| actual (first created → last ended) | ${sec(f.wallMs)} |`,
    `| a batch task's run (started → ended): median / p95 / max | ${sec(f.taskRunMs.median)} / ${sec(f.taskRunMs.p95)} / ${sec(f.taskRunMs.max)} |`,
    `| a batch task's queue wait: median / max | ${sec(f.queueWaitMs.median)} / ${sec(f.queueWaitMs.max)} |`,
    `| the machine during the batch: CPU busy (of ${f.machineCpu.cores} cores) / CPU-seconds per task | ${pct(f.machineCpu.busyShare)} / ${(f.machineCpu.busySeconds / s.tasks).toFixed(2)} s |`,
    `| sandboxes (containers) started per task | ${f.sandboxesPerTask.toFixed(2)} |`,
    `| server process peak memory: VmHWM / highest VmRSS sampled | ${mib(f.memory.hwmBytes)} / ${mib(f.memory.peakRssBytes)} |`,
    `| \`GET /v1/tasks?limit=100\`: median / p95 / max (${f.reads.list.n} reads) | ${ms(f.reads.list.median)} / ${ms(f.reads.list.p95)} / ${ms(f.reads.list.max)} |`,
    `| \`GET /v1/tasks/{id}\`: median / p95 / max (${f.reads.view.n} reads) | ${ms(f.reads.view.median)} / ${ms(f.reads.view.p95)} / ${ms(f.reads.view.max)} |`,
    `| task statuses | ${Object.entries(f.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ')} |`,
    `| errors: submissions / tasks / reads | ${f.errors.submit} / ${f.errors.tasks} / ${f.errors.reads} |`,
    '',
    '## Where a batch task spends its time',
    '',
    "Each step of the graph, from its first `node.started` to its last `node.finished` event in a task (the coders of a wave run at once: counted once): the task alone, and the batch tasks' median and p95.",
    '',
    '| step | alone | batch: median | batch: p95 |',
    '|---|---:|---:|---:|',
    ...f.steps.map(
      (step) => `| ${step.node} | ${sec(step.aloneMs)} | ${sec(step.batch.median)} | ${sec(step.batch.p95)} |`,
    ),
    '',
  ].join('\n');
}

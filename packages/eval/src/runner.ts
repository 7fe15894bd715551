import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@codecrew/core';
import type { SandboxProvider } from '@codecrew/sandbox';
import type { EvalInstance } from './instance.ts';
import type { InstanceProblem } from './load.ts';
import type { EvalSet, InstanceResult } from './result.ts';
import { runInstance, type TaskExecutor } from './run-instance.ts';
import { buildReport, type EvalReport } from './report/report.ts';
import { writeReport } from './report/files.ts';

/** Options of {@link runEval}. */
export interface EvalOptions {
  instancesFile: string;
  instances: EvalInstance[];
  skipped: InstanceProblem[];
  sets: EvalSet[];
  /** The model name; `scripted:DIR` picks a script per instance; ignored for `gold`. */
  model: string;
  /** Instances run at once. */
  parallel: number;
  attempts?: number;
  /** No new instance starts once this much has been spent; the report is written as usual. */
  budgetUsd?: number;
  outDir: string;
  config: Config;
  sandboxes: SandboxProvider;
  execute: TaskExecutor;
  /** Results of an earlier run kept as they are (`--retry-errors` passes those that were judged). */
  kept?: InstanceResult[];
  /** Progress lines for the terminal. */
  progress?: (line: string) => void;
}

/**
 * Runs every instance under every set, `parallel` at a time, judges each, and writes report.json
 * and report.md into `outDir` (also when the budget stops the run early). Returns the report.
 */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const startedAt = new Date().toISOString();
  const kept = options.kept ?? [];
  const keptKeys = new Set(kept.map((result) => `${result.set}/${result.instance_id}`));
  const queue = options.sets.flatMap((set) =>
    options.instances
      .filter((instance) => !keptKeys.has(`${set}/${instance.instance_id}`))
      .map((instance) => ({ instance, set })),
  );
  const results: InstanceResult[] = [...kept];
  const notRun: Array<{ instance_id: string; set: EvalSet }> = [];
  const total = queue.length;
  let spent = kept.reduce((sum, result) => sum + result.costUsd, 0);
  let done = 0;
  let stopped: string | null = null;
  const scratchDir = await mkdtemp(join(tmpdir(), 'codecrew-eval-'));
  const runId = `eval-${process.pid}-${Date.now().toString(36)}`;
  const say = options.progress ?? (() => undefined);
  say(
    `eval: ${total} run(s) of ${options.instances.length} instance(s), ${options.parallel} at a time → ${options.outDir}`,
  );
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (options.budgetUsd !== undefined && spent >= options.budgetUsd) {
        stopped ??= `the budget of $${options.budgetUsd} was spent ($${spent.toFixed(4)})`;
        notRun.push({ instance_id: next.instance.instance_id, set: next.set });
        continue;
      }
      const result = await runInstance(next.instance, next.set, {
        config: options.config,
        sandboxes: options.sandboxes,
        outDir: options.outDir,
        scratchDir,
        runId,
        model: options.model,
        execute: options.execute,
        ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
      });
      results.push(result);
      spent += result.costUsd;
      done += 1;
      const resolved = results.filter((r) => r.outcome === 'resolved').length;
      const errors = results.filter((r) => r.outcome === 'error').length;
      say(
        `eval: [${done}/${total}] ${result.set} ${result.instance_id}: ${result.outcome === 'error' ? `ERROR ${result.error?.code ?? ''}` : result.outcome}` +
          ` — ${resolved} resolved, ${errors} error(s) so far, $${spent.toFixed(4)} spent`,
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, () => worker()));
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
  if (stopped !== null) say(`eval: stopped: ${stopped}; ${notRun.length} run(s) not started`);
  const order = new Map(options.instances.map((instance, index) => [instance.instance_id, index]));
  results.sort(
    (a, b) =>
      options.sets.indexOf(a.set) - options.sets.indexOf(b.set) ||
      (order.get(a.instance_id) ?? 0) - (order.get(b.instance_id) ?? 0),
  );
  const report = buildReport({
    instancesFile: options.instancesFile,
    model: options.sets.includes('gold') ? 'gold' : options.model,
    sets: options.sets,
    stopped,
    startedAt,
    finishedAt: new Date().toISOString(),
    skipped: options.skipped,
    notRun,
    results,
  });
  await writeReport(options.outDir, report);
  return report;
}

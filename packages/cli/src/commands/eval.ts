import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, type Config } from '@codecrew/core';
import {
  buildReport,
  formatProblem,
  loadInstances,
  readReport,
  runEval,
  writeReport,
  type EvalReport,
  type EvalSet,
  type TaskExecutor,
} from '@codecrew/eval';
import { loadConfig, runTask } from '@codecrew/orchestrator';
import { createSandboxProvider } from '@codecrew/sandbox';
import { usageError, type Io } from '../io.ts';
import { openServeCheckpoints } from '../runtime/checkpoints.ts';
import { startCrew, type Crew } from '../runtime/crew.ts';
import { startScriptedModels } from '../runtime/scripted-models.ts';

const SETS: Record<string, EvalSet[]> = { crew: ['crew'], solo: ['solo'], both: ['solo', 'crew'] };

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw usageError(`${flag} takes a whole number of at least 1`);
  return number;
}

function printSummary(io: Io, report: EvalReport, files: { json: string; markdown: string }): void {
  for (const s of report.summaries) {
    io.out(
      `${s.set}: ${s.resolved}/${s.instances} resolved (${s.resolvedPct.toFixed(1)}%, 95% interval ${s.interval.low.toFixed(1)}–${s.interval.high.toFixed(1)}%), ` +
        `${s.errors} infrastructure error(s), $${s.costUsd.toFixed(4)}`,
    );
  }
  if (report.comparison !== null)
    io.out(
      `crew − solo: ${report.comparison.resolvedPctPoints} points resolved, $${report.comparison.costUsd.toFixed(4)} cost, ` +
        `${report.comparison.wallMs < 0 ? '-' : ''}${formatDuration(Math.abs(report.comparison.wallMs))} wall time`,
    );
  io.out(`report: ${files.markdown}`);
  io.out(`json:   ${files.json}`);
}

/** Runs each task on one crew for the whole eval; scripted models are started per task. */
function crewExecutor(crew: Crew, checkpoints: Awaited<ReturnType<typeof openServeCheckpoints>>): TaskExecutor {
  return async (task) => {
    const scripted = await startScriptedModels(task);
    try {
      const outcome = await runTask({ task: scripted.task, bus: crew.bus, checkpoints });
      if (outcome.status === 'awaiting_approval') throw usageError('an eval task cannot wait for plan approval');
      return outcome;
    } finally {
      await scripted.close();
    }
  };
}

async function withCrew<T>(
  config: Config,
  parallel: number,
  io: Io,
  body: (execute: TaskExecutor) => Promise<T>,
): Promise<T> {
  const crew = await startCrew({
    config,
    coderConcurrency: parallel,
    concurrency: { planner: parallel, reviewer: parallel, tester: parallel },
    natsStore: `eval-${process.pid}`,
    say: (line) => io.err(line),
  });
  const checkpoints = await openServeCheckpoints(config.dataDir);
  try {
    return await body(crewExecutor(crew, checkpoints));
  } finally {
    await checkpoints.close();
    await crew.close();
  }
}

/**
 * `codecrew eval INSTANCES.jsonl [--model M] [--parallel N] [--set crew|solo|both] [--attempts N] [--limit N]
 * [--out DIR] [--budget-usd X] [--retry-errors]`, `codecrew eval INSTANCES.jsonl --gold`, and
 * `codecrew eval --report DIR`. Exit code: 0 when every run was judged (and, with --gold, every
 * instance resolved), 1 otherwise, 2 for bad input.
 */
export async function evalCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      parallel: { type: 'string', default: '1' },
      set: { type: 'string', default: 'crew' },
      attempts: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      'budget-usd': { type: 'string' },
      'retry-errors': { type: 'boolean', default: false },
      gold: { type: 'boolean', default: false },
      report: { type: 'string' },
      config: { type: 'string' },
    },
  });
  if (values.report !== undefined) {
    const dir = resolve(values.report);
    const previous = await readReport(dir);
    const { version: _version, summaries: _summaries, comparison: _comparison, ...fields } = previous;
    const report = buildReport(fields);
    const files = await writeReport(dir, report);
    printSummary(io, report, files);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined || positionals.length > 1)
    throw usageError('codecrew eval takes one instances file: codecrew eval INSTANCES.jsonl (or --report DIR)');
  const sets = values.gold ? (['gold'] as EvalSet[]) : SETS[values.set];
  if (sets === undefined) throw usageError('--set takes crew, solo or both');
  const parallel = positiveInteger(values.parallel, '--parallel') ?? 1;
  const attempts = positiveInteger(values.attempts, '--attempts');
  const limit = positiveInteger(values.limit, '--limit');
  const budgetUsd = values['budget-usd'] === undefined ? undefined : Number(values['budget-usd']);
  if (budgetUsd !== undefined && !(budgetUsd > 0)) throw usageError('--budget-usd takes a positive amount');
  const config = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  if (!values.gold && values.model === undefined)
    throw usageError('codecrew eval needs --model NAME (or scripted:DIR), or --gold');
  const instancesFile = resolve(file);
  const loaded = loadInstances(instancesFile);
  for (const problem of loaded.problems) io.err(`codecrew eval: ${formatProblem(file, problem)}`);
  const instances = limit === undefined ? loaded.instances : loaded.instances.slice(0, limit);
  const outDir = resolve(
    values.out ?? join(config.dataDir, 'eval', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)),
  );
  const kept = values['retry-errors']
    ? (await readReport(outDir)).results.filter((result) => result.outcome !== 'error')
    : [];
  const sandboxes = await createSandboxProvider(
    { ...config.sandbox, warm: 0, dataDir: config.dataDir },
    { onProgress: (line) => io.err(line) },
  );
  await sandboxes.ensureReady();
  try {
    const run = (execute: TaskExecutor) =>
      runEval({
        instancesFile: file,
        instances,
        skipped: loaded.problems,
        sets,
        model: values.model ?? 'gold',
        parallel,
        outDir,
        config,
        sandboxes,
        execute,
        kept,
        progress: (line) => io.err(line),
        ...(attempts === undefined ? {} : { attempts }),
        ...(budgetUsd === undefined ? {} : { budgetUsd }),
      });
    const report = values.gold
      ? await run(() => Promise.reject(usageError('--gold runs no tasks')))
      : await withCrew(config, parallel, io, run);
    const files = { json: join(outDir, 'report.json'), markdown: join(outDir, 'report.md') };
    printSummary(io, report, files);
    if (values.gold && report.results.some((result) => !result.resolved)) return 1;
    return report.results.some((result) => result.outcome === 'error') ? 1 : 0;
  } finally {
    await sandboxes.close?.();
  }
}

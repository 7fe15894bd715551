import type { TaskReport } from '@codecrew/orchestrator';
import type { OverheadBreakdown } from './overhead.ts';

/** One crew run's figures, in milliseconds. */
export interface Measured {
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

/** One size N: its parallel and sequential runs and what follows from them (NaN where there is no sequential run). */
export interface CrewRow {
  n: number;
  parallel: Measured;
  sequential: Measured | null;
  speedup: number;
  taskEfficiency: number;
  codeEfficiency: number;
  overheadShare: number;
}

function phases(report: TaskReport): Map<string, TaskReport['jobs']> {
  const groups = new Map<string, TaskReport['jobs']>();
  for (const job of report.jobs) {
    const key = `${job.role}:${job.round}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return groups;
}

/** Wall time minus the model latency (`latencyMs` a call) and command time on the critical path: what codecrew itself costs. */
export function measure(
  report: TaskReport,
  n: number,
  parallelism: number,
  breakdown: OverheadBreakdown,
  latencyMs: number,
): Measured {
  let criticalModelMs = 0;
  let criticalCommandMs = 0;
  for (const [key, jobs] of phases(report)) {
    const serial = key.startsWith('coder') && parallelism === 1;
    const costs = jobs.map((job) => ({
      model: job.usage.calls * latencyMs,
      command: job.commands.reduce((sum, c) => sum + c.durationMs, 0),
    }));
    if (serial) {
      criticalModelMs += costs.reduce((sum, c) => sum + c.model, 0);
      criticalCommandMs += costs.reduce((sum, c) => sum + c.command, 0);
    } else {
      const longest = costs.reduce((best, c) => (c.model + c.command > best.model + best.command ? c : best), {
        model: 0,
        command: 0,
      });
      criticalModelMs += longest.model;
      criticalCommandMs += longest.command;
    }
  }
  const coders = report.jobs.filter((j) => j.role === 'coder');
  const codePhaseMs =
    Math.max(...coders.map((j) => Date.parse(j.finishedAt))) - Math.min(...coders.map((j) => Date.parse(j.startedAt)));
  const wallMs = report.timings.durationMs;
  return {
    n,
    parallelism,
    wallMs,
    codePhaseMs,
    criticalModelMs,
    criticalCommandMs,
    overheadMs: wallMs - criticalModelMs - criticalCommandMs,
    status: report.status,
    breakdown,
  };
}

/** The run whose overhead is the median of the runs (the lower middle one for an even count). */
export function medianRun(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.overheadMs - b.overheadMs);
  return {
    ...(sorted[Math.floor((sorted.length - 1) / 2)] as Measured),
    overheadSamplesMs: runs.map((r) => Math.round(r.overheadMs)),
  };
}

/** Pairs each size's parallel run with its sequential one (N = 1 is its own). */
export function crewRows(sizes: number[], results: Measured[]): CrewRow[] {
  return sizes.map((n) => {
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
}

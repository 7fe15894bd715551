import type { CrewRow } from './crew-measure.ts';

/** The crew targets ("One graph that reads as the schedule"): at N = 8, 2000 ms a reply. */
export const CREW_TARGET = { n: 8, codeEfficiency: 0.9, overheadShare: 0.08 } as const;

/** How the crew runs were made. */
export interface CrewSettings {
  latencyMs: number;
  repeat: number;
  warmup: number;
  testCommand: string;
}

/** Whether the row at the target's N meets each target; `null` when N = 8 did not run or had no sequential run. */
export function crewTargets(rows: CrewRow[]): {
  n: number;
  codeEfficiency: number;
  overheadShare: number;
  met: { codeEfficiency: boolean; overheadShare: boolean } | null;
} {
  const at = rows.find((r) => r.n === CREW_TARGET.n && r.sequential !== null);
  const met = at
    ? {
        codeEfficiency: at.codeEfficiency >= CREW_TARGET.codeEfficiency,
        overheadShare: at.overheadShare <= CREW_TARGET.overheadShare,
      }
    : null;
  return { ...CREW_TARGET, met };
}

/** A share as a percentage with one decimal, or a dash for NaN. */
export const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(x * 100).toFixed(1)}%`);
/** Milliseconds as seconds with two decimals. */
export const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The Markdown report of a crew run. */
export function crewMarkdown(rows: CrewRow[], s: CrewSettings): string {
  const at = rows.find((r) => r.n === CREW_TARGET.n && r.sequential !== null);
  const targets = crewTargets(rows);
  return [
    '# Crew benchmark',
    '',
    `N independent subtasks; every scripted model reply takes ${s.latencyMs} ms; a coder makes 2 model calls; the test command is \`${s.testCommand}\`; real NATS, Docker and git. "parallel" runs N coders at once, "sequential" one after another (parallelism 1).`,
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
    s.repeat > 1
      ? `Each configuration ran ${s.repeat} times; the table shows the run of median overhead. Every parallel run's overhead (ms): ${rows.map((r) => `N = ${r.n}: ${(r.parallel.overheadSamplesMs ?? []).join(', ')}`).join('; ')}.`
      : 'Each configuration ran once (`BENCH_CREW_REPEAT` runs each several times).',
    s.warmup > 0
      ? `Before its measured runs, each parallel configuration ran ${s.warmup === 1 ? 'once' : `${s.warmup} times`} unmeasured (warm-up: a fresh scripted model server, which stands in for a remote model that is warm for every task, and N coders at once run for the first time in the process); its overhead (ms): ${rows.map((r) => `N = ${r.n}: ${(r.parallel.warmupOverheadMs ?? []).join(', ')}`).join('; ')}. \`BENCH_CREW_WARMUP=0\` measures those runs too.`
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
      const cells = [b.prepare, b.plan, b.code, b.integrate, b.test, b.review, b.finalize, b.between].map((ms) =>
        String(Math.round(ms)),
      );
      return `| ${r.n} | ${cells.join(' | ')} | ${Math.round(r.parallel.overheadMs)} |`;
    }),
    '',
    at && targets.met
      ? `Targets at N = ${CREW_TARGET.n}${s.latencyMs === 2000 ? '' : ` (set for 2000 ms a reply; this run used ${s.latencyMs} ms)`}: code-phase efficiency ≥ ${pct(CREW_TARGET.codeEfficiency)} — ${pct(at.codeEfficiency)} (${targets.met.codeEfficiency ? 'met' : 'not met'}); overhead ≤ ${pct(CREW_TARGET.overheadShare)} of wall time — ${(at.overheadShare * 100).toFixed(2)}% (${Math.round(at.parallel.overheadMs)} ms of ${sec(at.parallel.wallMs)}; ${targets.met.overheadShare ? 'met' : 'not met'}).`
      : `Targets at N = ${CREW_TARGET.n} (code-phase efficiency ≥ ${pct(CREW_TARGET.codeEfficiency)}, overhead ≤ ${pct(CREW_TARGET.overheadShare)} of wall time): not measured in this run (N = ${CREW_TARGET.n} with its sequential run did not run).`,
    '',
  ].join('\n');
}

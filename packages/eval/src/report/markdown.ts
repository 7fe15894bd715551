import { formatDuration } from '@codecrew/core';
import type { TestOutcome } from '../judge.ts';
import type { InstanceResult } from '../result.ts';
import type { EvalReport } from './report.ts';
import type { SetSummary } from './summary.ts';

const usd = (value: number) => `$${value.toFixed(4)}`;
const signed = (value: number, text: string) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${text}`;

function tests(outcomes: TestOutcome[] | null): string {
  if (outcomes === null) return 'not run';
  if (outcomes.length === 0) return '—';
  return `${outcomes.filter((test) => test.passed).length}/${outcomes.length} pass`;
}

function link(path: string | null, label: string): string {
  return path === null ? '' : `[${label}](${path})`;
}

function summaryRows(summaries: SetSummary[]): string[] {
  return [
    '| set | resolved | resolved % (95% interval) | unresolved | infra errors | tokens | model calls | cost | wall time |',
    '|---|---|---|---|---|---|---|---|---|',
    ...summaries.map(
      (s) =>
        `| ${s.set} | ${s.resolved}/${s.instances} | ${s.resolvedPct.toFixed(1)}% (${s.interval.low.toFixed(1)}–${s.interval.high.toFixed(1)}%) | ${s.unresolved} | ${s.errors} | ${s.tokens} | ${s.modelCalls} | ${usd(s.costUsd)} | ${formatDuration(s.wallMs)} |`,
    ),
  ];
}

function outcomeText(result: InstanceResult): string {
  if (result.outcome === 'error') return `ERROR ${result.error?.code ?? ''}`.trim();
  return result.outcome === 'resolved'
    ? 'resolved'
    : result.patchError === null
      ? 'unresolved'
      : 'unresolved (patch did not apply)';
}

function instanceRows(results: InstanceResult[]): string[] {
  return [
    '| instance | set | outcome | tests before | tests after | task | review | subtasks | model calls | tokens | cost | wall time | files |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.instance_id} | ${r.set} | ${outcomeText(r)} | ${tests(r.tests.before)} | ${tests(r.tests.after)} | ${r.taskStatus} | ${r.reviewVerdict ?? '—'} | ${r.subtasks} | ${r.modelCalls} | ${r.tokens} | ${usd(r.costUsd)} | ${formatDuration(r.wallMs)} | ${[link(r.paths.diff, 'diff'), link(r.paths.judgeLog, 'judge log'), link(r.paths.trace, 'trace'), link(r.paths.taskReport, 'task report')].filter((text) => text !== '').join(' ')} |`,
    ),
  ];
}

function sideBySide(report: EvalReport): string[] {
  if (report.comparison === null) return [];
  const solo = new Map(report.results.filter((r) => r.set === 'solo').map((r) => [r.instance_id, r]));
  const crew = report.results.filter((r) => r.set === 'crew');
  const c = report.comparison;
  return [
    '## Solo and crew side by side',
    '',
    `Crew − solo: resolved ${signed(c.resolvedPctPoints, `${Math.abs(c.resolvedPctPoints).toFixed(1)} points`)}, cost ${signed(c.costUsd, usd(Math.abs(c.costUsd)))}, wall time ${signed(c.wallMs, formatDuration(Math.abs(c.wallMs)))}.`,
    '',
    '| instance | solo | crew | solo cost | crew cost | solo wall time | crew wall time |',
    '|---|---|---|---|---|---|---|',
    ...crew.map((r) => {
      const s = solo.get(r.instance_id);
      return `| ${r.instance_id} | ${s === undefined ? '—' : outcomeText(s)} | ${outcomeText(r)} | ${s === undefined ? '—' : usd(s.costUsd)} | ${usd(r.costUsd)} | ${s === undefined ? '—' : formatDuration(s.wallMs)} | ${formatDuration(r.wallMs)} |`;
    }),
    '',
  ];
}

/** report.md: the totals with their intervals, solo and crew side by side, and every instance. */
export function renderMarkdown(report: EvalReport): string {
  const errors = report.results.filter((r) => r.outcome === 'error');
  const lines = [
    '# codecrew eval',
    '',
    `Instances: ${report.instancesFile} · model: ${report.model}${report.model.startsWith('scripted:') ? ' (SCRIPTED, not a real model)' : ''} · sets: ${report.sets.join(', ')}`,
    `Started ${report.startedAt}, finished ${report.finishedAt}.`,
    ...(report.stopped === null
      ? []
      : ['', `**Stopped early: ${report.stopped}.** ${report.notRun.length} run(s) not started.`]),
    '',
    '## Resolved',
    '',
    ...summaryRows(report.summaries),
    '',
    'Resolved % counts every instance run; an infrastructure error counts as not resolved and is listed apart (`--retry-errors` runs those again).',
    '',
    ...sideBySide(report),
    '## Instances',
    '',
    ...instanceRows(report.results),
    '',
  ];
  if (errors.length > 0) {
    lines.push('## Infrastructure errors', '');
    for (const r of errors)
      lines.push(`- ${r.instance_id} (${r.set}): ${r.error?.code ?? ''} — ${r.error?.message ?? ''}`);
    lines.push('');
  }
  if (report.skipped.length > 0) {
    lines.push('## Skipped instance lines', '');
    for (const p of report.skipped) lines.push(`- line ${p.line}${p.field === '' ? '' : `, ${p.field}`}: ${p.message}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

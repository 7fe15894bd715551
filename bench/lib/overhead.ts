import { readFile } from 'node:fs/promises';
import type { TraceEvent } from '@codecrew/core';
import type { TaskReport } from '@codecrew/orchestrator';

/** Where a task's own time went: each graph step's wall time minus the model and command time inside it. */
export interface OverheadBreakdown {
  prepare: number;
  plan: number;
  code: number;
  integrate: number;
  test: number;
  review: number;
  finalize: number;
  /** Wall time outside every step: starting, between steps, ending. */
  between: number;
}

/**
 * Reads the steps' times from a task's trace and takes out `latencyMs` per
 * model call and each command's time (the longest job of each step: parallel
 * coders overlap; the tester's commands from whichever steps they overlap).
 * Meant for one-round tasks, as the crew benchmark runs.
 */
export async function overheadBreakdown(
  tracePath: string,
  report: TaskReport,
  latencyMs: number,
): Promise<OverheadBreakdown> {
  const events = (await readFile(tracePath, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TraceEvent);
  const spans = new Map<string, { start: number; end: number }>();
  const opened = new Map<string, number>();
  for (const event of events) {
    const node = String(event.data.node ?? '');
    const at = Date.parse(event.at);
    if (event.kind === 'node.started') opened.set(`${node}:${event.message}`, at);
    if (event.kind === 'node.finished') {
      const label = event.message.replace(/ failed: .*$/, '');
      const start = opened.get(`${node}:${label}`) ?? at;
      const span = spans.get(node);
      spans.set(node, span ? { start: Math.min(span.start, start), end: Math.max(span.end, at) } : { start, end: at });
    }
  }
  const spanMs = (node: string) => {
    const span = spans.get(node);
    return span ? span.end - span.start : 0;
  };
  // The tester's commands, as they ran: counted in whichever steps they overlap.
  const testing: Array<{ start: number; end: number }> = [];
  for (const event of events) {
    if (event.role !== 'tester') continue;
    if (event.kind === 'command.started') testing.push({ start: Date.parse(event.at), end: Number.NaN });
    const open = testing[testing.length - 1];
    if (event.kind === 'command.finished' && open !== undefined && Number.isNaN(open.end))
      open.end = Date.parse(event.at);
  }
  const testingIn = (node: string) => {
    const span = spans.get(node);
    if (span === undefined) return 0;
    return testing.reduce(
      (sum, run) => sum + Math.max(0, Math.min(span.end, run.end) - Math.max(span.start, run.start)),
      0,
    );
  };
  const testingTotal = testing.reduce((sum, run) => sum + Math.max(0, run.end - run.start), 0);
  const jobsOf = (role: string) => report.jobs.filter((job) => job.role === role);
  const modelMs = (role: string) => Math.max(0, ...jobsOf(role).map((job) => job.usage.calls * latencyMs));
  const commandMs = (role: string) =>
    Math.max(0, ...jobsOf(role).map((job) => job.commands.reduce((sum, c) => sum + c.durationMs, 0)));
  const steps = {
    prepare: spanMs('prepare'),
    plan: spanMs('plan') - modelMs('planner'),
    code: spanMs('code') - modelMs('coder') - commandMs('coder'),
    integrate: spanMs('integrate') - testingIn('integrate'),
    test: spanMs('test') - testingIn('test'),
    review: spanMs('review') - modelMs('reviewer'),
    finalize: spanMs('finalize'),
  };
  const inside = [...spans.keys()].reduce((sum, node) => sum + spanMs(node), 0);
  const testingOutside = testingTotal - testingIn('integrate') - testingIn('test');
  return { ...steps, between: report.timings.durationMs - inside - testingOutside };
}

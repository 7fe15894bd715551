import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@codecrew/core';
import { TraceFolder, foldTrace, isSilent, laneLabel, parseTraceJsonl } from '../src/data/fold.ts';

const fixture = new URL('./fixtures/demo-task/', import.meta.url);
const events = parseTraceJsonl(readFileSync(new URL('trace.jsonl', fixture), 'utf8'));
const TASK = 't0mxd7uar78e7aa624f5';

function event(kind: TraceEvent['kind'], at: string, extra: Partial<TraceEvent> = {}): TraceEvent {
  return { taskId: 't1', kind, at: `2026-01-01T00:00:${at}Z`, message: kind, data: {}, ...extra };
}

describe('folding a real demo trace', () => {
  const folded = foldTrace(events);

  it('makes one lane per job, in the order the jobs appeared, each named by role, subtask and round', () => {
    expect(folded.lanes.map((lane) => lane.label)).toEqual([
      'planner',
      'coder · title · r0',
      'coder · slug · r0',
      'coder · exports · r0',
      'tester · r0',
      'reviewer · r0',
    ]);
    expect(folded.lanes.every((lane) => lane.status === 'succeeded' && lane.end !== undefined)).toBe(true);
  });

  it('shows the two first coders working at the same time on the shared axis', () => {
    const [title, slug] = [folded.lanes[1], folded.lanes[2]];
    expect(title && slug && title.start < (slug.end ?? 0) && slug.start < (title.end ?? 0)).toBe(true);
    expect(folded.start).toBeLessThanOrEqual(folded.lanes[0]?.start ?? 0);
  });

  it('turns model calls, tool calls and commands into marks with their events', () => {
    const slug = folded.lanes.find((lane) => lane.jobId === `${TASK}-code-slug-r0`);
    const kinds = slug?.marks.map((mark) => mark.kind) ?? [];
    expect(kinds.filter((kind) => kind === 'model')).toHaveLength(4);
    expect(kinds).toContain('tool');
    const command = slug?.marks.find((mark) => mark.kind === 'command');
    expect(command?.events.map((item) => item.event.kind)).toEqual(['command.started', 'command.finished']);
    expect(command?.ok).toBe(true);
    expect(command?.end).toBeGreaterThan(command?.start ?? Infinity);
    expect(slug?.marks.every((mark) => mark.end !== undefined)).toBe(true);
  });

  it('colours every subtask merged and sums usage per role, subtask and in all', () => {
    expect(folded.plan?.subtasks.map((subtask) => subtask.id)).toEqual(['slug', 'title', 'exports']);
    expect(folded.subtaskStates).toEqual({ slug: 'merged', title: 'merged', exports: 'merged' });
    const report = JSON.parse(readFileSync(new URL('report.json', fixture), 'utf8')) as {
      usage: { calls: number; promptTokens: number; bySubtask: Record<string, { calls: number }> };
    };
    expect(folded.usage.total.calls).toBe(report.usage.calls);
    expect(folded.usage.total.promptTokens).toBe(report.usage.promptTokens);
    expect(folded.usage.bySubtask.slug?.calls).toBe(report.usage.bySubtask.slug?.calls);
    expect(folded.finished).toBe(true);
    expect(folded.status).toBe('approved');
  });
});

describe('TraceFolder', () => {
  it('ignores an event whose sequence number it has already folded', () => {
    const folder = new TraceFolder();
    const first = { seq: 1, event: event('job.started', '01', { jobId: 'j1', role: 'planner' }) };
    expect(folder.add(first)).toBe(true);
    expect(folder.add(first)).toBe(false);
    expect(folder.state.lanes).toHaveLength(1);
    expect(folder.state.lastSeq).toBe(1);
  });

  it('marks a subtask coding when its coder starts and failed when the coder fails', () => {
    const folder = new TraceFolder();
    const plan = { summary: 's', subtasks: [{ id: 'a', title: 'A', description: 'd', files: [], depends_on: [] }] };
    folder.add({ seq: 1, event: event('plan', '01', { data: { plan } }) });
    expect(folder.state.subtaskStates.a).toBe('waiting');
    folder.add({ seq: 2, event: event('job.started', '02', { jobId: 'j', role: 'coder', subtaskId: 'a' }) });
    expect(folder.state.subtaskStates.a).toBe('coding');
    folder.add({
      seq: 3,
      event: event('job.finished', '03', { jobId: 'j', role: 'coder', subtaskId: 'a', data: { status: 'failed' } }),
    });
    expect(folder.state.subtaskStates.a).toBe('failed');
  });

  it('flags a running lane silent once nothing was heard from it for the threshold', () => {
    const folder = new TraceFolder();
    folder.add({ seq: 1, event: event('job.started', '00', { jobId: 'j', role: 'coder', subtaskId: 'a' }) });
    folder.add({ seq: 2, event: event('tool.call', '10', { jobId: 'j', role: 'coder', data: { tool: 'shell' } }) });
    const lane = folder.state.lanes[0];
    if (lane === undefined) throw new Error('no lane');
    const heard = Date.parse('2026-01-01T00:00:10Z');
    expect(isSilent(lane, heard + 59_000, 60_000)).toBe(false);
    expect(isSilent(lane, heard + 60_000, 60_000)).toBe(true);
    folder.add({
      seq: 3,
      event: event('job.finished', '20', { jobId: 'j', role: 'coder', data: { status: 'succeeded' } }),
    });
    expect(isSilent(lane, heard + 600_000, 60_000)).toBe(false);
    expect(lane.marks[0]?.end).toBe(Date.parse('2026-01-01T00:00:20Z'));
  });

  it('folds 20,000 events into their lanes with every mark closed', () => {
    const many: { seq: number; event: TraceEvent }[] = [];
    for (let i = 0; i < 5000; i++) {
      const jobId = `job-${i % 8}`;
      const at = new Date(Date.UTC(2026, 0, 1) + i * 100).toISOString();
      const base = { taskId: 't', jobId, role: 'coder' as const, subtaskId: `s${i % 8}`, message: 'm', at };
      many.push({ seq: many.length + 1, event: { ...base, kind: 'tool.call', data: { tool: 'shell' } } });
      many.push({ seq: many.length + 1, event: { ...base, kind: 'command.started', data: { command: 'ls' } } });
      many.push({
        seq: many.length + 1,
        event: { ...base, kind: 'command.finished', data: { command: 'ls', exitCode: 0 } },
      });
      many.push({ seq: many.length + 1, event: { ...base, kind: 'tool.result', data: { tool: 'shell', ok: true } } });
    }
    const folded = foldTrace(many);
    expect(folded.lanes).toHaveLength(8);
    expect(folded.lanes.reduce((sum, lane) => sum + lane.marks.length, 0)).toBe(10_000);
    expect(folded.lanes.every((lane) => lane.marks.every((mark) => mark.end !== undefined))).toBe(true);
  });

  it('names lanes by role, subtask and round', () => {
    expect(laneLabel('t1-code-api-r2', 'coder', 'api')).toBe('coder · api · r2');
    expect(laneLabel('t1-plan', 'planner', undefined)).toBe('planner');
  });
});

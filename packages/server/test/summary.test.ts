import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@codecrew/core';
import { emptySummary, foldEvent, summaryOf } from '../src/tasks/summary.ts';
import { apiStatusOf, hasEnded } from '../src/tasks/status.ts';

const event = (
  kind: TraceEvent['kind'],
  data: Record<string, unknown>,
  more: Partial<TraceEvent> = {},
): TraceEvent => ({
  taskId: 't1',
  kind,
  at: '2026-01-01T00:00:00.000Z',
  message: kind,
  data,
  ...more,
});

describe('the live summary of a task', () => {
  it('follows the plan, coder jobs, merges, usage, tests and review', () => {
    const summary = emptySummary();
    const plan = {
      summary: 'two parts',
      subtasks: [
        { id: 'a', title: 'Part A', description: '', files: [], depends_on: [] },
        { id: 'b', title: 'Part B', description: '', files: [], depends_on: [] },
      ],
    };
    const events = [
      event('plan', { plan }),
      event('job.started', {}, { role: 'coder', subtaskId: 'a', jobId: 't1-code-a-r0' }),
      event('job.started', {}, { role: 'coder', subtaskId: 'a', jobId: 't1-code-a-r0' }),
      event('job.started', {}, { role: 'coder', subtaskId: 'b', jobId: 't1-code-b-r0' }),
      event(
        'job.finished',
        { status: 'succeeded', usage: { calls: 3, promptTokens: 100, completionTokens: 20, costUsd: 0.5 } },
        { role: 'coder', subtaskId: 'a' },
      ),
      event(
        'job.finished',
        { status: 'failed', usage: { calls: 1, promptTokens: 10, completionTokens: 2, costUsd: 0.25 } },
        { role: 'coder', subtaskId: 'b' },
      ),
      event('merge', { subtaskId: 'a', status: 'clean' }),
      event('tests', { passed: 7, failed: 1 }),
      event('review', { review: { verdict: 'request_changes' } }),
      event('log', { anything: true }),
    ];
    const changed = events.map((e) => foldEvent(summary, e));
    expect(changed).toEqual([true, true, true, true, true, true, true, true, true, false]);
    expect(summary.plan?.summary).toBe('two parts');
    expect(summary.subtasks).toEqual([
      { id: 'a', title: 'Part A', status: 'merged', jobs: ['t1-code-a-r0'] },
      { id: 'b', title: 'Part B', status: 'failed', jobs: ['t1-code-b-r0'] },
    ]);
    expect(summary.usage).toEqual({ tokens: 132, costUsd: 0.75, modelCalls: 4 });
    expect(summary.tests).toEqual({ passed: 7, failed: 1 });
    expect(summary.review).toEqual({ verdict: 'request_changes' });
  });

  it('reads a stored summary back, and anything else as empty', () => {
    const summary = emptySummary();
    foldEvent(summary, event('tests', { passed: 1, failed: 0 }));
    expect(summaryOf(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    expect(summaryOf(null)).toEqual(emptySummary());
    expect(summaryOf({ subtasks: 'no' })).toEqual(emptySummary());
  });
});

describe('API statuses', () => {
  it('maps the orchestrator statuses', () => {
    expect(apiStatusOf('approved')).toBe('approved');
    expect(apiStatusOf('answered')).toBe('approved');
    expect(apiStatusOf('changes_requested')).toBe('not_approved');
    expect(apiStatusOf('tests_failed')).toBe('not_approved');
    expect(apiStatusOf('budget_exhausted')).toBe('budget_exhausted');
    expect(['queued', 'running'].map((s) => hasEnded(s as 'queued'))).toEqual([false, false]);
    expect(hasEnded('cancelled')).toBe(true);
  });
});

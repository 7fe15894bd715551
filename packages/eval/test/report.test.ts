import { describe, expect, it } from 'vitest';
import { buildReport, renderMarkdown, type InstanceResult } from '../src/index.ts';

function result(
  instance: string,
  set: InstanceResult['set'],
  outcome: InstanceResult['outcome'],
  costUsd: number,
  wallMs: number,
): InstanceResult {
  const judged = outcome !== 'error';
  return {
    instance_id: instance,
    set,
    outcome,
    resolved: outcome === 'resolved',
    error: judged ? null : { code: 'MODEL_ERROR', message: 'the endpoint did not answer' },
    patchError: null,
    tests: {
      before: judged ? [{ name: 't1', exitCode: 1, passed: false }] : [],
      after: judged ? [{ name: 't1', exitCode: outcome === 'resolved' ? 0 : 1, passed: outcome === 'resolved' }] : null,
    },
    taskStatus: judged ? 'approved' : 'failed',
    reviewVerdict: judged ? 'approve' : null,
    subtasks: set === 'crew' ? 2 : 1,
    modelCalls: 4,
    tokens: 1000,
    costUsd,
    wallMs,
    diffLines: 3,
    paths: {
      diff: `instances/${set}/${instance}/diff.patch`,
      judgeLog: judged ? `instances/${set}/${instance}/judge.log` : null,
      trace: `instances/${set}/${instance}/task/t1/trace.jsonl`,
      taskReport: null,
    },
  };
}

const report = buildReport({
  instancesFile: 'instances.jsonl',
  model: 'gpt-4.1-mini',
  sets: ['solo', 'crew'],
  stopped: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:10:00.000Z',
  skipped: [{ line: 4, field: 'FAIL_TO_PASS', message: 'at least one test that the fix makes pass' }],
  notRun: [],
  results: [
    result('a', 'solo', 'resolved', 0.01, 20_000),
    result('b', 'solo', 'error', 0, 1_000),
    result('a', 'crew', 'resolved', 0.03, 30_000),
    result('b', 'crew', 'resolved', 0.02, 25_000),
  ],
});

describe('the eval report', () => {
  it('sums each set, counts errors apart, and compares crew with solo', () => {
    expect(report.summaries).toEqual([
      {
        set: 'solo',
        instances: 2,
        resolved: 1,
        unresolved: 0,
        errors: 1,
        resolvedPct: 50,
        interval: { low: 9.5, high: 90.5 },
        costUsd: 0.01,
        tokens: 2000,
        modelCalls: 8,
        wallMs: 21_000,
      },
      {
        set: 'crew',
        instances: 2,
        resolved: 2,
        unresolved: 0,
        errors: 0,
        resolvedPct: 100,
        interval: { low: 34.2, high: 100 },
        costUsd: 0.05,
        tokens: 2000,
        modelCalls: 8,
        wallMs: 55_000,
      },
    ]);
    expect(report.comparison).toEqual({ resolvedPctPoints: 50, costUsd: 0.04, wallMs: 34_000 });
  });

  it('renders the totals, solo and crew side by side, every instance, the errors and the skipped lines', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| solo | 1/2 | 50.0% (9.5–90.5%) | 0 | 1 | 2000 | 8 | $0.0100 | 21.0s |');
    expect(markdown).toContain('| crew | 2/2 | 100.0% (34.2–100.0%) | 0 | 0 | 2000 | 8 | $0.0500 | 55.0s |');
    expect(markdown).toContain('Crew − solo: resolved +50.0 points, cost +$0.0400, wall time +34.0s.');
    expect(markdown).toContain('| b | ERROR MODEL_ERROR | resolved | $0.0000 | $0.0200 | 1.0s | 25.0s |');
    expect(markdown).toContain(
      '| a | crew | resolved | 0/1 pass | 1/1 pass | approved | approve | 2 | 4 | 1000 | $0.0300 | 30.0s | [diff](instances/crew/a/diff.patch) [judge log](instances/crew/a/judge.log) [trace](instances/crew/a/task/t1/trace.jsonl) |',
    );
    expect(markdown).toContain('| b | solo | ERROR MODEL_ERROR | — | not run | failed | — | 1 | 4 | 1000 |');
    expect(markdown).toContain('- b (solo): MODEL_ERROR — the endpoint did not answer');
    expect(markdown).toContain('- line 4, FAIL_TO_PASS: at least one test that the fix makes pass');
    expect(markdown).not.toContain('Stopped early');
  });

  it('says when the budget stopped the run and how many runs did not start', () => {
    const stopped = renderMarkdown({
      ...report,
      stopped: 'the budget of $1 was spent ($1.0200)',
      notRun: [{ instance_id: 'c', set: 'crew' }],
    });
    expect(stopped).toContain('**Stopped early: the budget of $1 was spent ($1.0200).** 1 run(s) not started.');
  });
});

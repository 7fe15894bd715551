import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TaskSpec, emptyUsage, type TraceEvent } from '@codecrew/core';
import { loadConfig, resolveTask } from '../src/index.ts';
import { attemptsByJob, retriesByJob, retriesByRole } from '../src/report/attempts.ts';
import { buildReport } from '../src/report/build-report.ts';
import { renderMarkdown } from '../src/report/render-markdown.ts';
import { emptyTaskState } from '../src/graph/state.ts';

const taskId = 'report-attempts';

function event(
  kind: TraceEvent['kind'],
  jobId: string,
  data: Record<string, unknown>,
  role: TraceEvent['role'] = 'coder',
): TraceEvent {
  return {
    taskId,
    kind,
    at: `2030-01-01T00:00:${String(data.second ?? 0).padStart(2, '0')}.000Z`,
    jobId,
    role,
    message: kind,
    data,
  };
}

/** A coder whose first worker died mid-job, a planner whose model answered 429 and 500 before it answered. */
const trace: TraceEvent[] = [
  event('job.started', 'plan', { worker: 'w0', delivery: 1, second: 0 }, 'planner'),
  event('model.retry', 'plan', { attempt: 1, status: 429, reason: 'rate_limited', waitMs: 0, delivery: 1 }, 'planner'),
  event(
    'model.retry',
    'plan',
    { attempt: 2, status: 500, reason: 'server_error', waitMs: 420, delivery: 1 },
    'planner',
  ),
  event('job.finished', 'plan', { status: 'succeeded', worker: 'w0', delivery: 1, second: 2 }, 'planner'),
  event('job.started', 'code', { worker: 'w1', delivery: 1, second: 3 }),
  event('tool.call', 'code', { tool: 'write_file' }),
  event('job.started', 'code', { worker: 'w2', delivery: 2, second: 14 }),
  event('job.finished', 'code', { status: 'succeeded', worker: 'w2', delivery: 2, second: 18 }),
  event('job.started', 'gone', { worker: 'w3', delivery: 1, second: 20 }),
  event('job.started', 'stopped', { worker: 'w4', delivery: 1, second: 21 }),
  event('job.finished', 'stopped', {
    status: 'cancelled',
    error: { code: 'CANCELLED', message: 'worker w4 stopped' },
    delivery: 1,
    second: 22,
  }),
  event('job.started', 'stopped', { worker: 'w5', delivery: 2, second: 23 }),
  event('job.finished', 'stopped', {
    status: 'failed',
    error: { code: 'MODEL_ERROR', message: 'model call failed' },
    delivery: 2,
    second: 25,
  }),
];

describe('job attempts and model retries from the trace', () => {
  it('lists every delivery of a job with its worker and how it ended', () => {
    const attempts = attemptsByJob(trace);
    expect(attempts.get('code')).toEqual([
      { delivery: 1, worker: 'w1', startedAt: '2030-01-01T00:00:03.000Z', endedAt: null, outcome: 'lost' },
      {
        delivery: 2,
        worker: 'w2',
        startedAt: '2030-01-01T00:00:14.000Z',
        endedAt: '2030-01-01T00:00:18.000Z',
        outcome: 'succeeded',
      },
    ]);
    expect(attempts.get('gone')?.map((a) => a.outcome)).toEqual(['unfinished']);
    expect(attempts.get('stopped')?.map((a) => [a.delivery, a.worker, a.outcome, a.error])).toEqual([
      [1, 'w4', 'cancelled', 'CANCELLED: worker w4 stopped'],
      [2, 'w5', 'failed', 'MODEL_ERROR: model call failed'],
    ]);
  });

  it('counts model retries per job and per role', () => {
    expect(retriesByJob(trace).get('plan')).toEqual([
      { at: '2030-01-01T00:00:00.000Z', delivery: 1, attempt: 1, status: 429, reason: 'rate_limited', waitMs: 0 },
      { at: '2030-01-01T00:00:00.000Z', delivery: 1, attempt: 2, status: 500, reason: 'server_error', waitMs: 420 },
    ]);
    expect(retriesByJob(trace).get('code')).toBeUndefined();
    expect(retriesByRole(trace)).toEqual({ planner: 2 });
  });

  it('puts both into report.json and report.md', () => {
    const spec = TaskSpec.parse({
      apiVersion: 'codecrew/v1',
      kind: 'Task',
      metadata: { name: 'r' },
      spec: { repo: { path: '/r' }, prompt: 'p' },
    });
    const task = resolveTask(spec, loadConfig({ cwd: tmpdir(), env: {} }), { specDir: tmpdir(), taskId });
    const job = (jobId: string, role: 'planner' | 'coder', worker: string) => ({
      jobId,
      role,
      round: 0,
      status: 'succeeded' as const,
      usage: emptyUsage(),
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: '2030-01-01T00:00:18.000Z',
      worker,
      ...(role === 'coder' ? { subtaskId: 's1' } : {}),
    });
    const state = {
      ...emptyTaskState(task),
      status: 'approved' as const,
      jobs: [job('plan', 'planner', 'w0'), job('code', 'coder', 'w2')],
    };
    const files = { report: 'report.md', reportJson: 'report.json', trace: 'trace.jsonl' };
    const at = new Date('2030-01-01T00:00:00.000Z');
    const report = buildReport(state, new Map(), {
      status: 'approved',
      error: null,
      startedAt: at,
      finishedAt: at,
      files,
      events: trace,
    });
    expect(report.modelRetries).toEqual({ total: 2, byRole: { planner: 2 } });
    expect(
      report.jobs.map((j) => [
        j.jobId,
        j.modelRetries.length,
        j.attempts.map((a) => `${a.delivery}:${a.worker}:${a.outcome}`),
      ]),
    ).toEqual([
      ['plan', 2, ['1:w0:succeeded']],
      ['code', 0, ['1:w1:lost', '2:w2:succeeded']],
    ]);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('- Model retries: 2 (planner 2)');
    expect(markdown).toContain('### planner — succeeded (18.0s, 0 tokens, 2 model retries)');
    expect(markdown).toContain('- model call retried (delivery 1, retry 1): HTTP 429 (rate_limited), waited 0ms');
    expect(markdown).toContain('| 1 | w1 | lost — the worker stopped answering and the job was delivered again |');
    expect(markdown).toContain('| 2 | w2 | succeeded |');
  });
});

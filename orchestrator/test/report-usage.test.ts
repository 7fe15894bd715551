import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TaskSpec, formatTokenTotal, formatTokens, type Usage } from '@codecrew/core';
import { loadConfig, resolveTask } from '../src/index.ts';
import { buildReport } from '../src/report/build-report.ts';
import { renderMarkdown } from '../src/report/render-markdown.ts';
import { emptyTaskState } from '../src/graph/state.ts';

const taskId = 'report-usage';

function usage(prompt: number, cached: number, completion: number, reasoning: number, cost: number): Usage {
  return {
    calls: 2,
    promptTokens: prompt,
    cachedPromptTokens: cached,
    completionTokens: completion,
    reasoningTokens: reasoning,
    costUsd: cost,
  };
}

describe('model usage in the report', () => {
  it('sums cached and reasoning tokens, by role too, and shows them in report.md', () => {
    const spec = TaskSpec.parse({
      apiVersion: 'codecrew/v1',
      kind: 'Task',
      metadata: { name: 'r' },
      spec: { repo: { path: '/r' }, prompt: 'p' },
    });
    const task = resolveTask(spec, loadConfig({ cwd: tmpdir(), env: {} }), { specDir: tmpdir(), taskId });
    const job = (jobId: string, role: 'planner' | 'coder', used: Usage) => ({
      jobId,
      role,
      round: 0,
      status: 'succeeded' as const,
      usage: used,
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: '2030-01-01T00:00:10.000Z',
      worker: 'w1',
      ...(role === 'coder' ? { subtaskId: 's1' } : {}),
    });
    const state = {
      ...emptyTaskState(task),
      status: 'approved' as const,
      jobs: [
        job('plan', 'planner', usage(4000, 3000, 200, 150, 0.01)),
        job('code', 'coder', usage(1000, 0, 100, 0, 0.002)),
      ],
    };
    const at = new Date('2030-01-01T00:00:00.000Z');
    const report = buildReport(state, new Map(), {
      status: 'approved',
      error: null,
      startedAt: at,
      finishedAt: at,
      files: { report: 'report.md', reportJson: 'report.json', trace: 'trace.jsonl' },
      events: [],
    });
    expect(report.usage).toMatchObject({
      calls: 4,
      promptTokens: 5000,
      cachedPromptTokens: 3000,
      completionTokens: 300,
      reasoningTokens: 150,
    });
    expect(report.usage.byRole.planner).toEqual(usage(4000, 3000, 200, 150, 0.01));
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('tokens: 5000 in (3000 cached) / 300 out (150 reasoning); cost: $0.0120');
    expect(markdown).toContain('| planner | 2 | 4000 | 3000 | 200 | 150 | $0.0100 |');
    expect(markdown).toContain('| coder | 2 | 1000 | 0 | 100 | 0 | $0.0020 |');
    expect(markdown).toContain('### planner — succeeded (10.0s, 4200 tokens (3000 cached, 150 reasoning))');
    expect(markdown).toContain('### coder s1 — succeeded (10.0s, 1100 tokens)');
  });

  it('names cached and reasoning tokens only when there are some', () => {
    expect(formatTokens(usage(10, 0, 5, 0, 0))).toBe('10 in / 5 out');
    expect(formatTokenTotal(usage(10, 4, 5, 0, 0))).toBe('15 tokens (4 cached)');
  });
});

import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@codecrew/core';
import { ProgressPrinter } from '../src/progress/printer.ts';

function finished(data: Record<string, unknown>): TraceEvent {
  return {
    taskId: 't',
    kind: 'job.finished',
    at: new Date().toISOString(),
    jobId: 'j',
    role: 'coder',
    subtaskId: 's1',
    message: 'coder s1 succeeded',
    data,
  };
}

describe('progress lines', () => {
  it("end a finished job's line with its model calls, tokens (cached and reasoning named) and cost", () => {
    const lines: string[] = [];
    const printer = new ProgressPrinter((line) => lines.push(line), { color: false, verbose: false });
    printer.handle(
      finished({
        status: 'succeeded',
        usage: {
          calls: 3,
          promptTokens: 4000,
          cachedPromptTokens: 3000,
          completionTokens: 200,
          reasoningTokens: 150,
          costUsd: 0.0125,
        },
      }),
    );
    printer.handle(
      finished({
        status: 'succeeded',
        usage: { calls: 1, promptTokens: 10, completionTokens: 2, costUsd: 0 },
      }),
    );
    printer.handle(
      finished({ status: 'succeeded', usage: { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 } }),
    );
    expect(lines.map((line) => line.replace(/^\s*[\d.]+s\s+/, ''))).toEqual([
      'coder s1     coder s1 succeeded — 3 model calls, 4200 tokens (3000 cached, 150 reasoning), $0.0125',
      'coder s1     coder s1 succeeded — 1 model call, 12 tokens',
      'coder s1     coder s1 succeeded',
    ]);
  });
});

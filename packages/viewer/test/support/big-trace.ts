import type { TraceEvent } from '@codecrew/core';

/**
 * A trace of about `count` events (JSON lines): eight coders in parallel, each calling the model and
 * running a command, the last of them failing the task. Used by the viewer's browser test and its benchmark.
 */
export function bigTrace(count: number): string {
  const lines: string[] = [];
  const start = Date.UTC(2026, 0, 1);
  const push = (event: Omit<TraceEvent, 'taskId'>) => lines.push(JSON.stringify({ taskId: 'tbig', ...event }));
  push({ kind: 'task.started', at: new Date(start).toISOString(), message: 'task big', data: { name: 'big' } });
  for (let job = 0; job < 8; job++) {
    const base = { jobId: `tbig-code-s${job}-r0`, role: 'coder' as const, subtaskId: `s${job}` };
    push({ ...base, kind: 'job.started', at: new Date(start + job).toISOString(), message: 'coder started', data: {} });
  }
  for (let i = 0; lines.length < count - 1; i++) {
    const job = i % 8;
    const base = { jobId: `tbig-code-s${job}-r0`, role: 'coder' as const, subtaskId: `s${job}` };
    const at = (offset: number) => new Date(start + 1000 + i * 50 + offset).toISOString();
    push({
      ...base,
      kind: 'model.call',
      at: at(0),
      message: 'model answered',
      data: { durationMs: 20, promptTokens: 100, completionTokens: 10 },
    });
    push({ ...base, kind: 'command.started', at: at(10), message: 'ls', data: { command: `ls ${i}` } });
    push({
      ...base,
      kind: 'command.finished',
      at: at(30),
      message: 'ls',
      data: { command: `ls ${i}`, exitCode: i % 97 === 0 ? 1 : 0, stdoutTail: 'a\n' },
    });
  }
  push({
    kind: 'task.finished',
    at: new Date(start + 1000 + count * 20).toISOString(),
    message: 'task failed',
    data: { status: 'failed' },
  });
  return `${lines.join('\n')}\n`;
}

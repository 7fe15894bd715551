import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@codecrew/core';
import { foldTrace } from '../src/data/fold.ts';
import { messageTargets } from '../src/app/MessageBox.tsx';

function event(kind: TraceEvent['kind'], at: string, extra: Partial<TraceEvent> = {}): TraceEvent {
  return { taskId: 't1', kind, at: `2026-01-01T00:00:${at}Z`, message: kind, data: {}, ...extra };
}

const coder = (id: string, subtaskId: string) => ({ jobId: id, role: 'coder' as const, subtaskId });
const trace: TraceEvent[] = [
  event('task.started', '00'),
  event('plan', '01', {
    data: {
      plan: {
        summary: 'two',
        subtasks: [
          { id: 's1', title: 'One', description: '', files: [], depends_on: [] },
          { id: 's2', title: 'Two', description: '', files: [], depends_on: [] },
        ],
      },
    },
  }),
  event('job.started', '02', coder('t1-code-s1-r0', 's1')),
  event('job.started', '02', coder('t1-code-s2-r0', 's2')),
  event('job.finished', '03', { ...coder('t1-code-s2-r0', 's2'), data: { status: 'succeeded' } }),
  event('user.message', '04', { data: { messageId: 'msg_1', text: 'use tabs', to: 's1', target: 'subtask' } }),
  event('user.message.delivered', '05', {
    ...coder('t1-code-s1-r0', 's1'),
    data: { messageId: 'msg_1', text: 'use tabs', to: 's1' },
  }),
];

describe('steering in the viewer', () => {
  it("marks the moment a message from the user entered a job's conversation on its lane", () => {
    const folded = foldTrace(trace.map((item, index) => ({ seq: index + 1, event: item })));
    const lane = folded.lanes.find((entry) => entry.jobId === 't1-code-s1-r0');
    expect(lane?.marks.map((mark) => [mark.kind, mark.label, mark.end === mark.start])).toEqual([
      ['message', 'use tabs', true],
    ]);
  });

  it('offers the task, each subtask and each running job as targets', () => {
    expect(
      messageTargets(foldTrace(trace.map((item, index) => ({ seq: index + 1, event: item })))).map(
        (target) => target.value,
      ),
    ).toEqual(['task', 's1', 's2', 't1-code-s1-r0']);
  });
});

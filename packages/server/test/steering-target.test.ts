import { describe, expect, it } from 'vitest';
import { CodecrewError, type TraceEvent } from '@codecrew/core';
import { MessageBody } from '../src/api/message-schemas.ts';
import { parseRequest } from '../src/api/validate.ts';
import { crewOf, resolveTarget, runningFor } from '../src/tasks/steering-target.ts';

const at = '2026-01-01T00:00:00.000Z';
const event = (kind: TraceEvent['kind'], extra: Partial<TraceEvent> = {}): TraceEvent => ({
  taskId: 't1',
  kind,
  at,
  message: kind,
  data: {},
  ...extra,
});
const started = (jobId: string, role: TraceEvent['role'], subtaskId?: string) =>
  event('job.started', { jobId, role, ...(subtaskId ? { subtaskId } : {}) });
const finished = (jobId: string, role: TraceEvent['role'], subtaskId?: string) =>
  event('job.finished', { jobId, role, ...(subtaskId ? { subtaskId } : {}) });

const planning = [event('task.started'), started('t1-plan', 'planner')];
const coding = [
  ...planning,
  finished('t1-plan', 'planner'),
  event('plan', { data: { plan: { summary: 'two', subtasks: [{ id: 's1' }, { id: 's2' }] } } }),
  started('t1-code-s1-r1-a1', 'coder', 's1'),
  started('t1-code-s2-r1-a1', 'coder', 's2'),
  finished('t1-code-s2-r1-a1', 'coder', 's2'),
];

/** The error `work` throws. */
function thrown(work: () => unknown): CodecrewError {
  try {
    work();
  } catch (error) {
    if (error instanceof CodecrewError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('addressing a steering message', () => {
  it('reaches the planner while it plans, then the running coders, when sent to the task', () => {
    const whilePlanning = crewOf(planning);
    expect(runningFor('t1', resolveTarget(undefined, whilePlanning), whilePlanning)).toEqual(['t1-plan']);
    const whileCoding = crewOf(coding);
    expect(resolveTarget('task', whileCoding)).toEqual({ kind: 'task' });
    expect(runningFor('t1', { kind: 'task' }, whileCoding)).toEqual(['t1-code-s1-r1-a1']);
  });

  it('names a subtask of the plan, or a job of the task, by its id', () => {
    const crew = crewOf(coding);
    expect(resolveTarget('s2', crew)).toEqual({ kind: 'subtask', subtaskId: 's2' });
    expect(runningFor('t1', { kind: 'subtask', subtaskId: 's2' }, crew)).toEqual([]);
    expect(resolveTarget('t1-code-s1-r1-a1', crew)).toEqual({ kind: 'job', jobId: 't1-code-s1-r1-a1' });
    expect(runningFor('t1', { kind: 'job', jobId: 't1-code-s1-r1-a1' }, crew)).toEqual(['t1-code-s1-r1-a1']);
  });

  it('refuses a subtask or job the task does not have, at the field `to`', () => {
    const error = thrown(() => resolveTarget('s9', crewOf(coding)));
    expect([error.code, error.details]).toEqual([
      'REQUEST_INVALID',
      {
        issues: [
          { path: 'to', message: 'the task has no subtask or job "s9"; send to task, a subtask (s1, s2) or a job id' },
        ],
      },
    ]);
    const early = thrown(() => resolveTarget('s1', crewOf(planning)));
    expect(early.details).toEqual({
      issues: [
        {
          path: 'to',
          message: 'the task has no subtask or job "s1"; send to task, a subtask id once the plan is there or a job id',
        },
      ],
    });
  });
});

describe('the body of POST /v1/tasks/{id}/messages', () => {
  it('takes a text and an optional target', () => {
    expect(parseRequest(MessageBody, { text: '  use tabs ', to: 's1' }, 'the body')).toEqual({
      text: 'use tabs',
      to: 's1',
    });
  });

  it('names every problem at its field', () => {
    const error = thrown(() => parseRequest(MessageBody, { text: ' ', to: 'a b', extra: 1 }, 'the body'));
    expect(error.code).toBe('REQUEST_INVALID');
    expect(error.details).toEqual({
      issues: [
        { path: 'text', message: 'say something: the text is empty' },
        { path: 'to', message: '`task`, a subtask id or a job id' },
        { path: '(root)', message: 'unknown field(s) "extra"' },
      ],
    });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Command, END, START, StateGraph } from '@langchain/langgraph';
import type { Plan, PlanVerdict, TraceKind } from '@codecrew/core';
import type { GraphDeps } from '../src/graph/deps.ts';
import { approvePlanNode, routeAfterPlan } from '../src/graph/nodes/approve-plan.ts';
import { emptyTaskState, TaskState, type SubtaskState, type TaskStateValue } from '../src/graph/state.ts';
import { openCheckpointStore, type CheckpointStore } from '../src/run/checkpoints/index.ts';
import { beginPlanWait, waitsForPlanDecision } from '../src/run/plan-wait.ts';

const plan: Plan = {
  summary: 'two steps',
  subtasks: [
    { id: 'a', title: 'A', description: '', files: ['src/a.js'], depends_on: [] },
    { id: 'b', title: 'B', description: '', files: ['src/b.js'], depends_on: ['a'] },
  ],
};

const pending = (id: string): SubtaskState => ({
  id,
  title: id.toUpperCase(),
  status: 'pending',
  summary: '',
  changedFiles: [],
  error: null,
  conflictTries: 0,
  next: null,
});

function waitingState(required = true): TaskStateValue {
  const task = {
    taskId: 't_approve',
    mode: 'code',
    reviewRounds: 1,
    testCommand: null,
    planApproval: { required, timeoutMs: 60_000, onTimeout: 'approve' },
  } as unknown as TaskStateValue['task'];
  return { ...emptyTaskState(task), taskPlan: plan, subtasks: { a: pending('a'), b: pending('b') } };
}

/** The approve_plan node alone in a graph checkpointed in SQLite, and the events it emits. */
function approvalGraph(store: CheckpointStore, events: Array<{ kind: TraceKind; data: Record<string, unknown> }>) {
  const emit = (kind: TraceKind, _message: string, data: Record<string, unknown> = {}) => {
    events.push({ kind, data });
  };
  const deps = { emit } as unknown as GraphDeps;
  return async (taskId: string) => {
    const checkpointer = await store.checkpointerFor(taskId);
    const graph = new StateGraph(TaskState)
      .addNode('approve_plan', (state: TaskStateValue) => approvePlanNode(state, deps))
      .addEdge(START, 'approve_plan')
      .addEdge('approve_plan', END)
      .compile({ checkpointer: checkpointer.saver });
    return { graph, checkpointer, config: { configurable: { thread_id: taskId } } };
  };
}

const verdict = (action: PlanVerdict['action'], extra: Partial<PlanVerdict> = {}): PlanVerdict => ({
  action,
  by: 'ana',
  at: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('routeAfterPlan', () => {
  it('waits for approval only when the spec asks for it and the plan is valid', () => {
    expect(routeAfterPlan(waitingState(true))).toBe('approve_plan');
    expect(routeAfterPlan({ ...waitingState(true), status: 'failed' })).toBe('finalize');
    const sends = routeAfterPlan(waitingState(false));
    expect(Array.isArray(sends) && sends.length).toBe(1);
  });
});

describe('approve_plan', () => {
  let dir: string;
  let store: CheckpointStore;
  const events: Array<{ kind: TraceKind; data: Record<string, unknown> }> = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'codecrew-approve-'));
    store = await openCheckpointStore({ sqliteFile: join(dir, 'checkpoints.sqlite') });
    events.length = 0;
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops at an interrupt that a new graph on the same checkpoints finds, then goes on when approved', async () => {
    const open = approvalGraph(store, events);
    const first = await open('t_wait');
    await first.graph.invoke(waitingState(), first.config);
    expect(await waitsForPlanDecision(first.graph, 't_wait')).toBe(true);
    const { wait } = await beginPlanWait(first.graph, 't_wait', new Date('2026-01-01T00:00:00.000Z'));
    expect(wait).toEqual({
      taskId: 't_wait',
      status: 'awaiting_approval',
      plan,
      since: '2026-01-01T00:00:00.000Z',
      deadline: '2026-01-01T00:01:00.000Z',
      onTimeout: 'approve',
    });
    await first.checkpointer.release();
    expect(events).toEqual([]);

    // As after a restart: another graph over the same SQLite checkpoints resumes with the decision.
    const second = await open('t_wait');
    expect(await waitsForPlanDecision(second.graph, 't_wait')).toBe(true);
    const state = (await second.graph.invoke(
      new Command({ resume: verdict('approve') }),
      second.config,
    )) as TaskStateValue;
    await second.checkpointer.release();
    expect(state.status).toBe('running');
    expect(state.taskPlan).toEqual(plan);
    expect(events).toEqual([{ kind: 'plan.approved', data: { by: 'ana', at: '2026-01-01T00:00:00.000Z' } }]);
  });

  it('ends the task cancelled with PLAN_REJECTED when rejected', async () => {
    const { graph, checkpointer, config } = await approvalGraph(store, events)('t_reject');
    await graph.invoke(waitingState(), config);
    const state = (await graph.invoke(
      new Command({ resume: verdict('reject', { reason: 'too broad' }) }),
      config,
    )) as TaskStateValue;
    await checkpointer.release();
    expect(state.status).toBe('cancelled');
    expect(state.error).toEqual({
      code: 'PLAN_REJECTED',
      message: 'the plan was rejected by ana: too broad',
      retryable: false,
    });
    expect(events.map((e) => e.kind)).toEqual(['plan.rejected']);
  });

  it('goes on with an edited plan; subtasks it dropped are skipped', async () => {
    const { graph, checkpointer, config } = await approvalGraph(store, events)('t_edit');
    await graph.invoke(waitingState(), config);
    const edited: Plan = {
      summary: 'one step',
      subtasks: [{ id: 'c', title: 'C', description: 'all of it', files: ['src/**'], depends_on: [] }],
    };
    const state = (await graph.invoke(
      new Command({ resume: verdict('edit', { plan: edited }) }),
      config,
    )) as TaskStateValue;
    await checkpointer.release();
    expect(state.status).toBe('running');
    expect(state.taskPlan).toEqual(edited);
    expect(Object.values(state.subtasks).map((s) => [s.id, s.status])).toEqual([
      ['a', 'skipped'],
      ['b', 'skipped'],
      ['c', 'pending'],
    ]);
    expect(events.map((e) => e.kind)).toEqual(['plan.edited', 'plan']);
  });

  it('fails the task when an edited plan that was not checked has a cycle', async () => {
    const { graph, checkpointer, config } = await approvalGraph(store, events)('t_cycle');
    await graph.invoke(waitingState(), config);
    const cyclic: Plan = {
      summary: 'loop',
      subtasks: [
        { id: 'a', title: 'A', description: '', files: [], depends_on: ['b'] },
        { id: 'b', title: 'B', description: '', files: [], depends_on: ['a'] },
      ],
    };
    const state = (await graph.invoke(
      new Command({ resume: verdict('edit', { plan: cyclic }) }),
      config,
    )) as TaskStateValue;
    await checkpointer.release();
    expect(state.status).toBe('failed');
    expect(state.error?.code).toBe('PLAN_INVALID');
    expect(state.taskPlan).toEqual(plan);
  });
});

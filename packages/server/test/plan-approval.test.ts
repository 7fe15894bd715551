import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodecrewError, type PlanVerdict, type TraceEvent } from '@codecrew/core';
import { openTaskStore, type TaskRecord, type TaskStore } from '@codecrew/store';
import { Scheduler } from '../src/run/scheduler.ts';
import { foldApproval, pendingVerdict, type ApprovalSummary } from '../src/tasks/approval.ts';
import { approvalViewOf } from '../src/tasks/approval-view.ts';
import { emptySummary, foldEvent, summaryOf } from '../src/tasks/summary.ts';

const plan = { summary: 's', subtasks: [{ id: 'a', title: 'A', description: '', files: [], depends_on: [] }] };

const event = (kind: TraceEvent['kind'], data: Record<string, unknown>): TraceEvent => ({
  taskId: 't_1',
  kind,
  at: '2026-01-01T00:00:05.000Z',
  message: kind,
  data,
});

const awaiting = (deadline: string | null, onTimeout: 'approve' | 'cancel' = 'cancel'): ApprovalSummary => ({
  state: 'awaiting',
  since: '2026-01-01T00:00:00.000Z',
  deadline,
  onTimeout,
  decision: null,
  decidedBy: null,
  decidedAt: null,
  reason: null,
});

describe('the approval in a task summary', () => {
  it('begins with plan.awaiting_approval and ends with who decided and when', () => {
    const summary = emptySummary();
    expect(
      foldEvent(
        summary,
        event('plan.awaiting_approval', {
          plan,
          since: '2026-01-01T00:00:00.000Z',
          deadline: '2026-01-01T01:00:00.000Z',
          onTimeout: 'approve',
        }),
      ),
    ).toBe(true);
    expect(summary.approval).toEqual(awaiting('2026-01-01T01:00:00.000Z', 'approve'));
    foldEvent(summary, event('plan.rejected', { by: 'ana', at: '2026-01-01T00:00:04.000Z', reason: 'no' }));
    expect(approvalViewOf(summary.approval)).toEqual({
      state: 'rejected',
      since: '2026-01-01T00:00:00.000Z',
      deadline: '2026-01-01T01:00:00.000Z',
      on_timeout: 'approve',
      decided_by: 'ana',
      decided_at: '2026-01-01T00:00:04.000Z',
      reason: 'no',
    });
  });

  it('clears the subtasks of an edited plan, which the next plan event names again', () => {
    const summary = emptySummary();
    foldEvent(summary, event('plan', { plan }));
    foldEvent(summary, event('plan.awaiting_approval', { since: '2026-01-01T00:00:00.000Z', deadline: null }));
    foldEvent(summary, event('plan.edited', { by: 'ana', at: 'x', plan: { ...plan, subtasks: [] } }));
    expect(summary.subtasks).toEqual([]);
    expect(summary.approval?.state).toBe('edited');
  });

  it('ignores other events and has no pending decision until one is taken', () => {
    expect(foldApproval(null, event('log', {}))).toBeNull();
    expect(pendingVerdict(awaiting(null))).toBeUndefined();
    const decided: PlanVerdict = { action: 'approve', by: 'ana', at: 'now' };
    expect(pendingVerdict({ ...awaiting(null), decision: decided })).toEqual(decided);
    expect(pendingVerdict({ ...awaiting(null), state: 'approved', decision: decided })).toBeUndefined();
  });
});

describe('Scheduler and plans awaiting approval', () => {
  let dir: string;
  let store: TaskStore;
  let scheduler: Scheduler | null = null;
  const runs: Array<{ id: string; verdict: PlanVerdict | undefined }> = [];
  /** What each run does: leaves the task awaiting approval, or ends it approved. */
  let runOutcome: (record: TaskRecord) => Promise<void>;

  async function create(id: string): Promise<TaskRecord> {
    return (await store.createTask({ id, name: id, repo: '/repo', spec: {} })).task;
  }

  async function waitFor(id: string, status: string): Promise<TaskRecord> {
    for (;;) {
      const record = await store.getTask(id);
      if (record?.status === status) return record;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  function start(maxTasks: number): Scheduler {
    scheduler = new Scheduler({
      store,
      maxTasks,
      run: async (record) => {
        runs.push({ id: record.id, verdict: pendingVerdict(summaryOf(record.summary).approval) });
        await runOutcome(record);
      },
      settle: async (record, status, error) => {
        await store.updateTask(record.id, { status, error, endedAt: new Date().toISOString() });
      },
      log: () => undefined,
    });
    return scheduler;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'codecrew-approval-'));
    store = await openTaskStore({ dataDir: dir });
    runs.length = 0;
    runOutcome = async (record) => {
      const verdict = pendingVerdict(summaryOf(record.summary).approval);
      if (verdict === undefined) {
        await store.updateTask(record.id, {
          status: 'awaiting_approval',
          summary: { ...emptySummary(), approval: awaiting(null) },
        });
      } else await store.updateTask(record.id, { status: 'approved', endedAt: new Date().toISOString() });
    };
  });
  afterEach(async () => {
    scheduler?.stop();
    scheduler = null;
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('frees the slot of a task awaiting approval, and runs it again with the decision', async () => {
    const sched = start(1);
    await create('t_first');
    await create('t_second');
    await sched.start();
    await waitFor('t_first', 'awaiting_approval');
    // With one slot, the second task runs while the first waits.
    await waitFor('t_second', 'awaiting_approval');
    const decided = await sched.decidePlan('t_first', { action: 'approve', by: 'ana' });
    expect(decided.status).toBe('queued');
    await waitFor('t_first', 'approved');
    expect(runs.map((run) => [run.id, run.verdict?.action ?? null, run.verdict?.by ?? null])).toEqual([
      ['t_first', null, null],
      ['t_second', null, null],
      ['t_first', 'approve', 'ana'],
    ]);
  });

  it('refuses a decision for a task that does not await one (409 TASK_NOT_AWAITING_APPROVAL)', async () => {
    const sched = start(1);
    await create('t_queued');
    const refusal = await sched.decidePlan('t_queued', { action: 'approve' }).catch((error: unknown) => error);
    expect(isCodecrewError(refusal, 'TASK_NOT_AWAITING_APPROVAL')).toBe(true);
    const missing = await sched.decidePlan('t_none', { action: 'reject' }).catch((error: unknown) => error);
    expect(isCodecrewError(missing, 'TASK_NOT_FOUND')).toBe(true);
  });

  it('decides by spec.plan.onTimeout for a deadline that passed while no server ran', async () => {
    await create('t_late');
    await store.updateTask('t_late', {
      status: 'awaiting_approval',
      summary: { ...emptySummary(), approval: awaiting('2026-01-01T00:00:01.000Z', 'cancel') },
    });
    runOutcome = async (record) => {
      await store.updateTask(record.id, { status: 'cancelled', endedAt: new Date().toISOString() });
    };
    await start(1).start();
    await waitFor('t_late', 'cancelled');
    expect(runs.map((run) => [run.id, run.verdict?.action, run.verdict?.by, run.verdict?.reason])).toEqual([
      ['t_late', 'reject', 'timeout', 'the wait for a decision reached spec.plan.timeout'],
    ]);
  });

  it('cancels a task awaiting approval at once', async () => {
    const sched = start(1);
    await create('t_cancel');
    await sched.start();
    await waitFor('t_cancel', 'awaiting_approval');
    const record = await sched.cancel('t_cancel', 1000);
    expect([record.status, record.error?.code]).toEqual(['cancelled', 'CANCELLED']);
  });
});

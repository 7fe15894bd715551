import { TaskSpec, toErrorData, type ErrorData } from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import { runTask, type CheckpointStore, type ResolvedTask } from '@codecrew/orchestrator';
import type { ApiTaskStatus, TaskRecord, TaskStore } from '@codecrew/store';
import { apiStatusOf } from '../tasks/status.ts';
import { resolveStoredTask, type AdmissionRules } from '../tasks/submit.ts';
import { summaryFromReport, summaryOf } from '../tasks/summary.ts';
import { pendingVerdict } from '../tasks/approval.ts';
import type { EventFeed } from './event-feed.ts';

/** A task made ready to run, and what to release after it. */
export interface PreparedTask {
  task: ResolvedTask;
  close(): Promise<void>;
}

/** What running a stored task needs. */
export interface TaskRunnerContext {
  store: TaskStore;
  /** Where the tasks' LangGraph checkpoints are kept. */
  checkpoints: CheckpointStore;
  bus: Bus;
  feed: EventFeed;
  rules: AdmissionRules;
  /** Before a task runs (e.g. scripted model servers started for it). */
  prepareTask?: (task: ResolvedTask) => Promise<PreparedTask>;
  /** True once the server is stopping: what a run reports then is not recorded (a restart resumes it). */
  isStopping(): boolean;
  log(line: string): void;
}

/** How long a settled task waits for its last event to reach the store before its status changes anyway. */
const LAST_EVENT_WAIT_MS = 30_000;

/**
 * Ends a task that did not run to the end of its graph (cancelled while queued, or failed before it could
 * start): a last `task.finished` event, then its status.
 */
export async function settleTask(
  ctx: Pick<TaskRunnerContext, 'store' | 'bus' | 'feed'>,
  record: TaskRecord,
  status: ApiTaskStatus,
  error: ErrorData | null,
): Promise<void> {
  const published = await ctx.bus
    .publishEvent({
      taskId: record.id,
      kind: 'task.finished',
      at: new Date().toISOString(),
      message: `task ${status}${error ? `: ${error.message}` : ''}`,
      data: { status, error, result: null },
    })
    .then(
      () => true,
      () => false,
    );
  if (published) await ctx.feed.waitForFinished(record.id, LAST_EVENT_WAIT_MS);
  ctx.feed.untrack(record.id);
  await ctx.store.updateTask(record.id, { status, endedAt: new Date().toISOString(), error });
  ctx.feed.notify(record.id);
}

/**
 * Runs a claimed or resumed task through the orchestrator (which resumes from the task's checkpoint when
 * there is one), then records how it ended: its status, error and summary, once its last event is stored.
 */
export async function runStoredTask(ctx: TaskRunnerContext, record: TaskRecord, signal: AbortSignal): Promise<void> {
  const { store, feed } = ctx;
  feed.track(record.id, summaryOf(record.summary));
  let prepared: PreparedTask | null = null;
  try {
    const task = resolveStoredTask(TaskSpec.parse(record.spec), record.id, ctx.rules);
    prepared = ctx.prepareTask ? await ctx.prepareTask(task) : { task, close: async () => undefined };
    if (record.outDir !== task.outDir) await store.updateTask(record.id, { outDir: task.outDir });
    // A task queued again with a decision on its plan resumes its graph with it.
    const planVerdict = pendingVerdict(summaryOf(record.summary).approval);
    const outcome = await runTask({
      task: prepared.task,
      bus: ctx.bus,
      checkpoints: ctx.checkpoints,
      signal,
      ...(ctx.rules.config.server?.publicUrl === undefined
        ? {}
        : { traceLink: `${ctx.rules.config.server.publicUrl.replace(/\/+$/, '')}/v1/tasks/${record.id}/events` }),
      ...(planVerdict === undefined ? {} : { planVerdict }),
    });
    if (ctx.isStopping()) return;
    if (outcome.status === 'awaiting_approval') {
      // The feed has folded the wait into the summary once the event is stored; the task then holds no slot.
      await feed.waitForEvent(record.id, 'plan.awaiting_approval', LAST_EVENT_WAIT_MS);
      feed.untrack(record.id);
      const summary = summaryOf((await store.getTask(record.id))?.summary);
      summary.approval = {
        ...(summary.approval ?? { decidedBy: null, decidedAt: null, reason: null }),
        state: 'awaiting',
        since: outcome.since,
        deadline: outcome.deadline,
        onTimeout: outcome.onTimeout,
        decision: null,
      };
      await store.updateTask(record.id, { status: 'awaiting_approval', summary });
      feed.notify(record.id);
      ctx.log(`task ${record.id} (${record.name}) awaits approval of its plan`);
      return;
    }
    await feed.waitForFinished(record.id, LAST_EVENT_WAIT_MS);
    feed.untrack(record.id);
    const status = apiStatusOf(outcome.status);
    const approval = summaryOf((await store.getTask(record.id))?.summary).approval;
    await store.updateTask(record.id, {
      status,
      endedAt: new Date().toISOString(),
      summary: { ...summaryFromReport(outcome.report), ...(approval ? { approval } : {}) },
      error: outcome.error,
    });
    feed.notify(record.id);
    ctx.log(`task ${record.id} (${record.name}) ${status}`);
  } catch (error) {
    if (ctx.isStopping()) return;
    ctx.log(`task ${record.id} (${record.name}) failed: ${error instanceof Error ? error.message : String(error)}`);
    await settleTask(ctx, record, 'failed', toErrorData(error));
  } finally {
    await prepared?.close().catch(() => undefined);
  }
}

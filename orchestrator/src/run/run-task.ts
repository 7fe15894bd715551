import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isCodecrewError,
  toErrorData,
  type ErrorData,
  type Job,
  type JobResult,
  type PlanVerdict,
  type TraceEvent,
  type TraceKind,
} from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import { Command } from '@langchain/langgraph';
import { buildTaskGraph } from '../graph/build.ts';
import { TaskBudget } from '../graph/budget.ts';
import { Slots } from '../graph/slots.ts';
import { newTaskCache, type GraphDeps } from '../graph/deps.ts';
import { emptyTaskState, type TaskStateUpdate, type TaskStateValue, type TaskStatus } from '../graph/state.ts';
import { buildReport, type TaskReport } from '../report/build-report.ts';
import { deliverResult } from '../deliver/deliver-result.ts';
import { saveTestLogs } from '../report/test-logs.ts';
import { renderMarkdown } from '../report/render-markdown.ts';
import type { ResolvedTask } from '../task/resolve.ts';
import type { CheckpointStore } from './checkpoints/index.ts';
import { beginPlanWait, waitsForPlanDecision, type AwaitingApproval } from './plan-wait.ts';

/** How to run one task. */
export interface RunTaskOptions {
  task: ResolvedTask;
  bus: Bus;
  /** Where the task's LangGraph checkpoints are written (and read, when the task resumes). */
  checkpoints: CheckpointStore;
  signal?: AbortSignal;
  /** The decision on the plan the task waits for (see {@link AwaitingApproval}); the graph resumes with it. */
  planVerdict?: PlanVerdict;
  /** Where a pull request's reader finds the trace (e.g. the server's URL of the task); default the trace file's path. */
  traceLink?: string;
}

/** How a task ended, and where its evidence is. */
export interface TaskOutcome {
  taskId: string;
  status: TaskStatus;
  error: ErrorData | null;
  report: TaskReport;
  files: { report: string; reportJson: string; trace: string };
}

/** `bus`, sending each job with the model its role has in `models`. */
function withModels(bus: Bus, models: ResolvedTask['models']): Bus {
  return new Proxy(bus, {
    get(target, property) {
      if (property === 'dispatchJob') return (job: Job) => target.dispatchJob({ ...job, model: models[job.role] });
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Runs a task through the graph on the crew reachable over `bus`, then writes
 * report.md, report.json and trace.jsonl into the task's output directory.
 */
export async function runTask(options: RunTaskOptions): Promise<TaskOutcome | AwaitingApproval> {
  const { task, bus } = options;
  const startedAt = new Date();
  await mkdir(task.outDir, { recursive: true });
  const controller = new AbortController();
  const abort = (reason: unknown) => controller.abort(reason);
  // A task cancelled before it got here stops at once.
  if (options.signal?.aborted) abort(options.signal.reason);
  else options.signal?.addEventListener('abort', () => abort(options.signal?.reason), { once: true });
  const budget = new TaskBudget(task.budget);
  let budgetTimer: NodeJS.Timeout | null = null;
  if (task.budget.maxDurationMs !== null) {
    // Past the time budget, running jobs are cancelled and no new one starts; the graph goes on to finalize.
    budgetTimer = setTimeout(() => {
      budget.expire();
      emit('log', `time budget used up (${task.budget.maxDurationMs} ms): cancelling running jobs`, {
        budget: 'maxDuration',
      });
      void bus
        .publishControl(task.taskId, { type: 'cancel', reason: 'budget.maxDuration reached' })
        .catch(() => undefined);
    }, task.budget.maxDurationMs);
  }
  // Each event is sent at once (the bus stores them in the order of the calls); `chain` settles when all are stored.
  let chain: Promise<unknown> = Promise.resolve();
  const emit = (kind: TraceKind, message: string, data: Record<string, unknown> = {}) => {
    const event: TraceEvent = { taskId: task.taskId, kind, at: new Date().toISOString(), message, data };
    chain = Promise.all([chain, bus.publishEvent(event).catch(() => undefined)]);
  };
  const deps: GraphDeps = {
    bus,
    emit,
    signal: controller.signal,
    budget,
    coderSlots: new Slots(Math.max(task.parallelism, 1)),
    cache: newTaskCache(),
    resumed: false,
  };
  const onCancel = () =>
    void bus
      .publishControl(task.taskId, { type: 'cancel', reason: String(controller.signal.reason ?? 'cancelled') })
      .catch(() => undefined);
  controller.signal.addEventListener('abort', onCancel, { once: true });

  const checkpointer = await options.checkpoints.checkpointerFor(task.taskId);
  // Checkpoints of this task from an earlier run: the graph resumes from the last one instead of starting over.
  const last = await checkpointer.saver.getTuple({ configurable: { thread_id: task.taskId } }).catch(async (error) => {
    if (budgetTimer) clearTimeout(budgetTimer);
    await checkpointer.release();
    throw error;
  });
  deps.resumed = last !== undefined;
  // The checkpointed task holds the endpoints of the earlier run (a scripted server's port changes with each
  // start): jobs sent from now on are given this run's models.
  if (deps.resumed) deps.bus = withModels(bus, task.models);
  emit('task.started', `task ${task.name} (${task.mode}) on ${task.repoPath}${deps.resumed ? ' (resumed)' : ''}`, {
    name: task.name,
    mode: task.mode,
    repo: task.repoPath,
    models: task.models,
    resumed: deps.resumed,
  });
  const graph = buildTaskGraph(deps, checkpointer.saver);
  // Parallelism is enforced by deps.coderSlots, not LangGraph's maxConcurrency, which drops Send tasks when it is 1.
  const config = { configurable: { thread_id: task.taskId }, recursionLimit: 200, signal: controller.signal };
  /** Ends this run at the plan's wait: nothing more runs until a decision resumes the graph. */
  const awaitApproval = async (): Promise<AwaitingApproval> => {
    if (budgetTimer) clearTimeout(budgetTimer);
    const { wait, message, data } = await beginPlanWait(graph, task.taskId, new Date());
    emit('plan.awaiting_approval', message, data);
    await chain;
    await checkpointer.release();
    return wait;
  };
  let state: TaskStateValue | null = null;
  let status: TaskStatus;
  let error: ErrorData | null = null;
  try {
    const waiting = deps.resumed && (await waitsForPlanDecision(graph, task.taskId));
    if (waiting && options.planVerdict === undefined) return await awaitApproval();
    // Input null resumes: the steps the last checkpoint still owes run, the finished ones are not run again.
    const input = waiting
      ? new Command<PlanVerdict | undefined, TaskStateUpdate, never>({ resume: options.planVerdict })
      : deps.resumed
        ? null
        : { task };
    state = (await graph.invoke(input, config)) as TaskStateValue;
    if (await waitsForPlanDecision(graph, task.taskId)) return await awaitApproval();
    status = state.status;
    error = state.error;
  } catch (caught) {
    const reason: unknown = controller.signal.reason;
    if (isCodecrewError(caught, 'BUDGET_EXHAUSTED')) {
      status = 'budget_exhausted';
      error = caught.toData();
    } else if (controller.signal.aborted) {
      status = 'cancelled';
      error = {
        code: 'CANCELLED',
        message: `the task was cancelled: ${String(reason ?? 'by request')}`,
        retryable: false,
      };
    } else {
      status = 'failed';
      error = toErrorData(caught);
    }
    const snapshot = await graph.getState(config).catch(() => null);
    state = (snapshot?.values as TaskStateValue | undefined) ?? null;
  } finally {
    if (budgetTimer) clearTimeout(budgetTimer);
  }
  const finishedAt = new Date();
  emit('task.finished', `task ${status}${error ? `: ${error.message}` : ''}`, {
    status,
    error,
    result: state?.result ?? null,
  });
  await chain;
  await checkpointer.release();

  const files = {
    report: join(task.outDir, 'report.md'),
    reportJson: join(task.outDir, 'report.json'),
    trace: join(task.outDir, 'trace.jsonl'),
  };
  const finalState: TaskStateValue = state ?? { ...emptyTaskState(task), status };
  const results = new Map<string, JobResult>();
  for (const job of finalState.jobs) {
    const result = await bus.getResult(task.taskId, job.jobId).catch(() => null);
    if (result) results.set(job.jobId, result);
  }
  const testLogs = await saveTestLogs(bus, task.outDir, finalState.testRuns);
  let events = await bus.readEvents(task.taskId);
  const report = buildReport(finalState, results, { status, error, startedAt, finishedAt, files, testLogs, events });
  const delivery = await deliverResult(task, report, {
    traceLink: options.traceLink ?? files.trace,
    log: (message, data) => emit('log', message, data),
  });
  if (report.result !== null && (delivery.push !== null || delivery.pullRequest !== null)) {
    report.result = { ...report.result, push: delivery.push, pullRequest: delivery.pullRequest };
    await chain;
    events = await bus.readEvents(task.taskId);
  }
  await writeFile(files.trace, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
  await writeFile(files.reportJson, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.report, renderMarkdown(report));
  return { taskId: task.taskId, status, error, report, files };
}

import {
  addUsage,
  emptyUsage,
  type CommandRecord,
  type ErrorData,
  type JobResult,
  type TraceEvent,
  type Usage,
} from '@codecrew/core';
import type { TaskStateValue, TaskStatus } from '../graph/state.ts';
import { attemptsByJob, retriesByJob, retriesByRole, type JobAttempt, type ModelRetryRecord } from './attempts.ts';

/** report.json: everything a person or a program needs to judge the result. */
export interface TaskReport {
  taskId: string;
  name: string;
  mode: 'code' | 'ask';
  status: TaskStatus;
  error: ErrorData | null;
  prompt: string;
  /** `path`: the repository the branch is in (for a `repo.url` task, the cached clone); `url`: the URL without credentials, or null. */
  repo: { path: string; url: string | null; ref: string | null; baseCommit: string };
  models: Record<string, string>;
  scripted: boolean;
  agentsMd: string[];
  testCommand: { command: string | null; source: string };
  plan: TaskStateValue['taskPlan'];
  /** Subtasks held back because their files overlap an earlier one's, and why. */
  ordering: TaskStateValue['ordering'];
  subtasks: Array<{
    id: string;
    title: string;
    status: string;
    summary: string;
    changedFiles: string[];
    error: string | null;
    dependsOn: string[];
  }>;
  jobs: Array<{
    jobId: string;
    role: string;
    subtaskId: string | null;
    round: number;
    status: string;
    error: ErrorData | null;
    /** `steps_exhausted`: a coder that ran out of steps and handed over its changes unfinished. */
    incomplete: string | null;
    usage: Usage;
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    worker: string;
    /** Every delivery of the job to a worker, and how each ended (`lost`: its worker stopped answering). */
    attempts: JobAttempt[];
    /** Every retried model request of the job (429, 5xx, dropped connections, timeouts). */
    modelRetries: ModelRetryRecord[];
    commands: CommandRecord[];
  }>;
  merges: TaskStateValue['merges'];
  /** Best-of-N: every candidate of a subtask and why the winner won. */
  selections: TaskStateValue['selections'];
  /** Test runs; `logPath` is the full log's file, `log` only names the artifact (its bytes are in that file). */
  tests: Array<
    Omit<TaskStateValue['testRuns'][number], 'log'> & { log?: { name: string; size: number }; logPath?: string }
  >;
  reviews: TaskStateValue['reviews'];
  answer: string | null;
  result: TaskStateValue['result'];
  /** Every hunk of the final diff with the subtasks and jobs that wrote it. */
  provenance: TaskStateValue['provenance'];
  usage: Usage & { byRole: Record<string, Usage>; bySubtask: Record<string, Usage> };
  /** Retried model requests of the whole task, per role. */
  modelRetries: { total: number; byRole: Record<string, number> };
  timings: { startedAt: string; finishedAt: string; durationMs: number };
  files: { report: string; reportJson: string; trace: string };
}

function add(map: Record<string, Usage>, key: string, usage: Usage): void {
  map[key] = addUsage(map[key] ?? emptyUsage(), usage);
}

/** Assembles report.json from the final state, the jobs' full results and the task's trace. */
export function buildReport(
  state: TaskStateValue,
  results: Map<string, JobResult>,
  meta: {
    status: TaskStatus;
    error: ErrorData | null;
    startedAt: Date;
    finishedAt: Date;
    files: TaskReport['files'];
    testLogs?: Map<number, string>;
    /** The task's trace events: deliveries and retries are read from them. */
    events?: readonly TraceEvent[];
  },
): TaskReport {
  const { task } = state;
  const events = meta.events ?? [];
  const attempts = attemptsByJob(events);
  const retries = retriesByJob(events);
  const retriesPerRole = retriesByRole(events);
  let usage = emptyUsage();
  const byRole: Record<string, Usage> = {};
  const bySubtask: Record<string, Usage> = {};
  for (const job of state.jobs) {
    usage = addUsage(usage, job.usage);
    add(byRole, job.role, job.usage);
    if (job.subtaskId !== undefined) add(bySubtask, job.subtaskId, job.usage);
  }
  const models: Record<string, string> = {};
  for (const [role, ref] of Object.entries(task.models)) models[role] = ref.name;
  return {
    taskId: task.taskId,
    name: task.name,
    mode: task.mode,
    status: meta.status,
    error: meta.error,
    prompt: task.prompt,
    repo: { path: task.repoPath, url: task.repoUrl ?? null, ref: task.ref, baseCommit: state.baseCommit },
    models,
    scripted: Object.values(models).some((name) => name.startsWith('scripted')),
    agentsMd: state.agentsMdFiles,
    testCommand: { command: state.testCommand, source: state.testCommandSource },
    plan: state.taskPlan,
    ordering: state.ordering,
    subtasks: (state.taskPlan?.subtasks ?? []).map((s) => {
      const st = state.subtasks[s.id];
      return {
        id: s.id,
        title: s.title,
        status: st?.status ?? 'pending',
        summary: st?.summary ?? '',
        changedFiles: st?.changedFiles ?? [],
        error: st?.error ?? null,
        dependsOn: s.depends_on,
      };
    }),
    jobs: state.jobs.map((job) => ({
      jobId: job.jobId,
      role: job.role,
      subtaskId: job.subtaskId ?? null,
      round: job.round,
      status: job.status,
      error: job.error ?? null,
      incomplete: job.incomplete ?? null,
      usage: job.usage,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      durationMs: Date.parse(job.finishedAt) - Date.parse(job.startedAt),
      worker: job.worker,
      attempts: attempts.get(job.jobId) ?? [],
      modelRetries: retries.get(job.jobId) ?? [],
      commands: results.get(job.jobId)?.commands ?? [],
    })),
    merges: state.merges,
    selections: state.selections,
    tests: state.testRuns.map(({ log, ...run }) => {
      const logPath = meta.testLogs?.get(run.round);
      return { ...run, ...(log ? { log: { name: log.name, size: log.size } } : {}), ...(logPath ? { logPath } : {}) };
    }),
    reviews: state.reviews,
    answer: state.answer,
    result: state.result,
    provenance: state.provenance,
    usage: { ...usage, byRole, bySubtask },
    modelRetries: { total: Object.values(retriesPerRole).reduce((sum, n) => sum + n, 0), byRole: retriesPerRole },
    timings: {
      startedAt: meta.startedAt.toISOString(),
      finishedAt: meta.finishedAt.toISOString(),
      durationMs: meta.finishedAt.getTime() - meta.startedAt.getTime(),
    },
    files: meta.files,
  };
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CodecrewError } from '@codecrew/core';

/** A finished task's folder as `codecrew view` reads it: its trace and whatever outputs it has. */
export interface TaskFolder {
  dir: string;
  id: string;
  /** trace.jsonl's lines that hold an event, in order; line n has sequence number n + 1. */
  lines: string[];
  report: Record<string, unknown> | null;
}

/** Reads a task folder (or the folder of a trace.jsonl): FILE_NOT_FOUND when there is no trace. */
export function readTaskFolder(target: string): TaskFolder {
  const path = resolve(target);
  if (!existsSync(path)) throw new CodecrewError('FILE_NOT_FOUND', `${target} does not exist`);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const tracePath = statSync(path).isDirectory() ? join(dir, 'trace.jsonl') : path;
  if (!existsSync(tracePath)) {
    throw new CodecrewError(
      'FILE_NOT_FOUND',
      `${target} has no trace.jsonl; give a task folder (.codecrew/tasks/ID) or a trace.jsonl`,
    );
  }
  const lines = readFileSync(tracePath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const reportPath = join(dir, 'report.json');
  const report = existsSync(reportPath)
    ? (JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>)
    : null;
  const first = lines[0] === undefined ? undefined : (JSON.parse(lines[0]) as { taskId?: string });
  const id = (typeof report?.taskId === 'string' ? report.taskId : undefined) ?? first?.taskId ?? basename(dir);
  return { dir, id, lines, report };
}

/** The task as `GET /v1/tasks/{id}` shows it, made from the folder's report and trace. */
export function taskViewOf(folder: TaskFolder): Record<string, unknown> {
  const report = (folder.report ?? {}) as {
    name?: string;
    status?: string;
    repo?: { path?: string };
    timings?: { startedAt?: string; finishedAt?: string };
    plan?: unknown;
    subtasks?: { id: string; title: string; status: string }[];
    jobs?: { subtaskId?: string | null; role?: string }[];
    usage?: { calls?: number; promptTokens?: number; completionTokens?: number; costUsd?: number };
    tests?: { passed: number; failed: number }[];
    reviews?: { verdict: string }[];
    result?: { branch?: string | null; commit?: string | null; filesChanged?: number } | null;
  };
  const events = folder.lines.map(
    (line) => JSON.parse(line) as { kind: string; at: string; data?: Record<string, unknown> },
  );
  const started = events[0]?.at ?? null;
  const finished = events.findLast((event) => event.kind === 'task.finished');
  const lastTests = report.tests?.at(-1);
  const lastReview = report.reviews?.at(-1);
  return {
    id: folder.id,
    name: report.name ?? folder.id,
    status: report.status ?? (typeof finished?.data?.status === 'string' ? finished.data.status : 'running'),
    created_at: report.timings?.startedAt ?? started,
    started_at: report.timings?.startedAt ?? started,
    ended_at: report.timings?.finishedAt ?? finished?.at ?? null,
    repo: report.repo?.path ?? '',
    plan: report.plan ?? null,
    subtasks: (report.subtasks ?? []).map((subtask) => ({
      id: subtask.id,
      title: subtask.title,
      status: subtask.status,
      attempts: (report.jobs ?? []).filter((job) => job.subtaskId === subtask.id && job.role === 'coder').length,
    })),
    usage: {
      tokens: (report.usage?.promptTokens ?? 0) + (report.usage?.completionTokens ?? 0),
      cost_usd: report.usage?.costUsd ?? 0,
      model_calls: report.usage?.calls ?? 0,
    },
    result:
      report.result === undefined || report.result === null
        ? null
        : {
            status: report.status ?? null,
            branch: report.result.branch ?? null,
            commit: report.result.commit ?? null,
            files_changed: report.result.filesChanged ?? 0,
            tests: lastTests === undefined ? null : { passed: lastTests.passed, failed: lastTests.failed },
            review: lastReview === undefined ? null : { verdict: lastReview.verdict },
          },
  };
}

/** One job's commands with their output, as far as the trace and the folder's logs keep them. */
export function jobLogOf(folder: TaskFolder, jobId: string): string | null {
  const parts: string[] = [];
  for (const line of folder.lines) {
    const event = JSON.parse(line) as { kind: string; jobId?: string; data: Record<string, unknown> };
    if (event.jobId !== jobId || event.kind !== 'command.finished') continue;
    const { command, exitCode, stdoutTail, stderrTail } = event.data;
    parts.push(
      `$ ${String(command)}\n${String(stdoutTail ?? '')}${String(stderrTail ?? '')}[exit ${String(exitCode)}]\n`,
    );
  }
  const round = /-test-r(\d+)$/.exec(jobId);
  const testLog = round === null ? undefined : join(folder.dir, 'logs', `tests-r${round[1]}.log`);
  if (testLog !== undefined && existsSync(testLog)) parts.push(readFileSync(testLog, 'utf8'));
  return parts.length === 0 ? null : parts.join('\n');
}

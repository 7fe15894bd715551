import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskSpec, newId, type Plan } from '@codecrew/core';
import { branchCommit, followupContext, type TaskReport } from '@codecrew/orchestrator';
import type { TaskRecord } from '@codecrew/store';
import type { ApiContext } from '../http/context.ts';
import { apiError } from '../http/errors.ts';
import { hasEnded } from './status.ts';
import { admitTask, repoLabelOfSpec } from './submit.ts';
import { summaryOf } from './summary.ts';

/** The result a follow-up continues: the branch, its commit, and the repository it is in. */
export interface ParentResult {
  branch: string;
  commit: string;
  repository: string;
}

/**
 * The result of an ended task that can be followed up: TASK_NOT_ENDED while it runs,
 * NO_RESULT_BRANCH when it ended without a branch (failed, ask mode), BRANCH_MOVED when its
 * branch no longer points at its result commit.
 */
export async function followableResult(record: TaskRecord): Promise<ParentResult> {
  if (!hasEnded(record.status)) {
    throw apiError('TASK_NOT_ENDED', `task ${record.id} is ${record.status}; wait for it to end, then follow it up`, {
      id: record.id,
      status: record.status,
    });
  }
  const result = summaryOf(record.summary).result;
  if (result === null || result.branch === null || result.commit === null) {
    throw apiError(
      'NO_RESULT_BRANCH',
      `task ${record.id} ended (${record.status}) without a result branch; only a task that committed a result can be followed up`,
      { id: record.id, status: record.status },
    );
  }
  const repository = result.repository ?? record.repo;
  const actual = await branchCommit(repository, result.branch).catch(() => null);
  if (actual !== result.commit) {
    throw apiError(
      'BRANCH_MOVED',
      `branch ${result.branch} in ${repository} ${actual === null ? 'no longer exists' : `now points at ${actual.slice(0, 10)}`}, not at ${result.commit.slice(0, 10)} where task ${record.id} left it; follow up the task that made its current commit, or move it back`,
      { id: record.id, branch: result.branch, expected: result.commit, actual },
    );
  }
  return { branch: result.branch, commit: result.commit, repository };
}

/** The report.json of an ended task. */
export async function reportOf(record: TaskRecord): Promise<TaskReport> {
  if (record.outDir === null) throw apiError('RESULT_NOT_READY', `task ${record.id} has no report`, { id: record.id });
  try {
    return JSON.parse(await readFile(join(record.outDir, 'report.json'), 'utf8')) as TaskReport;
  } catch {
    throw apiError('RESULT_NOT_READY', `task ${record.id} ended without a report`, { id: record.id });
  }
}

/** The diff of an ended task, or RESULT_NOT_READY. */
export async function diffOf(record: TaskRecord): Promise<string> {
  if (!hasEnded(record.status) || record.outDir === null) {
    throw apiError('RESULT_NOT_READY', `task ${record.id} is ${record.status}: it has no diff yet`, {
      id: record.id,
      status: record.status,
    });
  }
  try {
    return await readFile(join(record.outDir, 'diff.patch'), 'utf8');
  } catch {
    throw apiError('RESULT_NOT_READY', `task ${record.id} ended (${record.status}) without a diff`, {
      id: record.id,
      status: record.status,
    });
  }
}

/**
 * Queues a follow-up of `parent`: the parent's spec with the new prompt, starting from the
 * parent's result commit, publishing on the parent's branch, with what the parent did as the
 * planner's context; with `plan`, a revision whose plan is fixed.
 */
export async function queueFollowup(
  ctx: ApiContext,
  parent: TaskRecord,
  request: { prompt: string; plan?: Plan },
): Promise<{ task: TaskRecord; result: ParentResult }> {
  const result = await followableResult(parent);
  const report = await reportOf(parent);
  const parentSpec = TaskSpec.parse(parent.spec);
  // A revision's plan is the user's own comments: it does not wait for a plan approval.
  const { plan: approval, ...body } = parentSpec.spec;
  const spec: TaskSpec = {
    ...parentSpec,
    spec: {
      ...body,
      ...(approval === undefined || request.plan !== undefined ? {} : { plan: approval }),
      prompt: request.prompt,
      repo: { ...body.repo, ref: result.commit },
      output: { ...body.output, branch: result.branch },
      followup: {
        parent: parent.id,
        commit: result.commit,
        context: followupContext(report),
        ...(request.plan === undefined ? {} : { plan: request.plan }),
      },
    },
  };
  const id = newId('t');
  const admitted = await admitTask(spec, id, ctx.rules);
  const { task } = await ctx.store.createTask({
    id,
    name: spec.metadata.name,
    repo: repoLabelOfSpec(admitted.spec),
    spec: admitted.spec,
    parent: parent.id,
  });
  ctx.log(`task ${task.id} (${task.name}) queued, following up ${parent.id} on ${result.branch}`);
  ctx.feed.notify(task.id);
  ctx.scheduler.pump();
  return { task, result };
}

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Config } from '@codecrew/core';
import { resolveTask, type ResolvedTask, type TaskOutcome } from '@codecrew/orchestrator';
import type { SandboxProvider } from '@codecrew/sandbox';
import type { EvalInstance } from './instance.ts';
import { cloneAt } from './git.ts';
import { judgePatch, type Judgement } from './judge.ts';
import { errorData, infrastructureErrorOf } from './infra.ts';
import type { EvalSet, InstanceResult } from './result.ts';
import { modelFor, taskSpecFor } from './task-spec.ts';

/** Runs one resolved codecrew task to its end (the CLI does it on its crew) and returns its outcome. */
export type TaskExecutor = (task: ResolvedTask) => Promise<TaskOutcome>;

/** What running one instance needs. */
export interface InstanceContext {
  config: Config;
  sandboxes: SandboxProvider;
  /** The eval's output folder; the instance's files go to `instances/<set>/<id>/` in it. */
  outDir: string;
  scratchDir: string;
  runId: string;
  /** The model (`scripted:DIR` picks a script per instance); unused for `gold`. */
  model: string;
  attempts?: number;
  execute: TaskExecutor;
}

/** The folder of an instance's files, relative to the eval's output folder. */
export function instanceDir(set: EvalSet, instanceId: string): string {
  return join('instances', set, instanceId);
}

function emptyResult(instance: EvalInstance, set: EvalSet): InstanceResult {
  return {
    instance_id: instance.instance_id,
    set,
    outcome: 'error',
    resolved: false,
    error: null,
    patchError: null,
    tests: { before: [], after: null },
    taskStatus: set === 'gold' ? 'gold' : 'not_run',
    reviewVerdict: null,
    subtasks: 0,
    modelCalls: 0,
    tokens: 0,
    costUsd: 0,
    wallMs: 0,
    diffLines: 0,
    paths: { diff: null, judgeLog: null, trace: null, taskReport: null },
  };
}

/**
 * Runs one instance under one set: clones its repository at base_commit, runs the codecrew task on
 * it (or takes the gold patch), keeps the diff, and judges it by the tests. Never throws: an
 * infrastructure failure is returned as an `error` outcome.
 */
export async function runInstance(
  instance: EvalInstance,
  set: EvalSet,
  context: InstanceContext,
): Promise<InstanceResult> {
  const result = emptyResult(instance, set);
  const started = Date.now();
  const dir = instanceDir(set, instance.instance_id);
  const absDir = join(context.outDir, dir);
  await rm(absDir, { recursive: true, force: true });
  await mkdir(absDir, { recursive: true });
  const scratch = await mkdtemp(join(context.scratchDir, 'instance-'));
  try {
    let patch = instance.patch;
    let limits: ResolvedTask['sandbox'];
    if (set === 'gold') {
      limits = limitsFor(instance, context, scratch);
    } else {
      const repoPath = join(scratch, 'repo');
      await cloneAt(instance.repo, instance.base_commit, repoPath);
      const spec = taskSpecFor(instance, set, {
        repoPath,
        outDir: join(absDir, 'task'),
        ...(context.attempts === undefined ? {} : { attempts: context.attempts }),
      });
      const task = resolveTask(spec, context.config, {
        specDir: context.outDir,
        modelOverride: modelFor(context.model, instance, set),
      });
      limits = task.sandbox;
      const outcome = await context.execute(task);
      const report = outcome.report;
      result.taskStatus = outcome.status;
      result.reviewVerdict = report.reviews.at(-1)?.verdict ?? null;
      result.subtasks = report.subtasks.length;
      result.modelCalls = report.usage.calls;
      result.tokens = report.usage.promptTokens + report.usage.completionTokens;
      result.costUsd = report.usage.costUsd;
      result.paths.trace = relative(context.outDir, outcome.files.trace);
      result.paths.taskReport = relative(context.outDir, outcome.files.report);
      result.error = infrastructureErrorOf(outcome);
      patch = report.result?.diffPath ? await readFile(report.result.diffPath, 'utf8') : '';
    }
    await writeFile(join(absDir, 'diff.patch'), patch);
    result.paths.diff = join(dir, 'diff.patch');
    result.diffLines = patch === '' ? 0 : patch.split('\n').length - (patch.endsWith('\n') ? 1 : 0);
    if (result.error === null) {
      const judgement: Judgement = await judgePatch(instance, patch, {
        sandboxes: context.sandboxes,
        limits,
        scratchDir: scratch,
        runId: context.runId,
      });
      await writeFile(join(absDir, 'judge.log'), `${judgement.log}\n`);
      result.paths.judgeLog = join(dir, 'judge.log');
      result.tests = { before: judgement.before, after: judgement.after };
      result.patchError = judgement.patchError;
      result.resolved = judgement.resolved;
      result.outcome = judgement.resolved ? 'resolved' : 'unresolved';
    }
  } catch (error) {
    result.error = errorData(error);
    result.outcome = 'error';
    result.resolved = false;
  } finally {
    result.wallMs = Date.now() - started;
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

/** The sandbox limits of the instance's task (its image), resolved as for a task without running one. */
function limitsFor(instance: EvalInstance, context: InstanceContext, repoPath: string): ResolvedTask['sandbox'] {
  const spec = taskSpecFor(instance, 'crew', { repoPath, outDir: context.outDir });
  return resolveTask(spec, context.config, { specDir: context.outDir }).sandbox;
}

import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GitRepo, hasUncommittedChanges, publishBranch } from '../../git/index.ts';
import { traceHunks } from '../provenance.ts';
import { commitDiff } from '../trees.ts';
import type { GraphDeps } from '../deps.ts';
import type { HunkOrigin, TaskResultRefs, TaskStatus, TaskStateUpdate, TaskStateValue } from '../state.ts';

/** The final status of a code task, from the last tests and review. */
export function finalStatus(state: TaskStateValue): TaskStatus {
  if (state.status !== 'running') return state.status;
  if (state.task.mode === 'ask') return state.answer === null ? 'failed' : 'answered';
  if (state.integration === state.baseCommit) return 'failed';
  if (state.lastTests !== null && state.lastTests.exitCode !== 0) return 'tests_failed';
  if (state.lastReview?.verdict === 'approve') return 'approved';
  return 'changes_requested';
}

function commitMessage(state: TaskStateValue): string {
  const firstLine = state.task.prompt.trim().split('\n')[0] ?? state.task.name;
  const subject = `${state.task.name}: ${firstLine}`.slice(0, 72);
  const subtasks = (state.taskPlan?.subtasks ?? [])
    .map((s) => `- ${s.id} ${s.title} [${state.subtasks[s.id]?.status ?? '?'}]: ${state.subtasks[s.id]?.summary ?? ''}`)
    .join('\n');
  const tests = state.lastTests
    ? `Tests: \`${state.lastTests.command}\` exit ${state.lastTests.exitCode}, ${state.lastTests.passed} passed, ${state.lastTests.failed} failed`
    : 'Tests: none run';
  const review = state.lastReview
    ? `Review: ${state.lastReview.verdict} — ${state.lastReview.summary}`
    : 'Review: none';
  return `${subject}\n\n${state.taskPlan?.summary ?? ''}\n\n${subtasks}\n\n${tests}\n${review}\n\ncodecrew-task: ${state.task.taskId}\n`;
}

/** finalize: write the diff, commit it to a new branch of the user's repository, and settle the status. */
export async function finalizeNode(state: TaskStateValue, deps: GraphDeps): Promise<TaskStateUpdate> {
  const { task } = state;
  await mkdir(task.outDir, { recursive: true });
  const status = deps.budget.exhausted !== null ? 'budget_exhausted' : finalStatus(state);
  // A job that failed because the budget ran out is reported as the budget, which is what the user must change.
  const error =
    status === 'budget_exhausted' && deps.budget.exhausted !== null
      ? { code: 'BUDGET_EXHAUSTED' as const, message: deps.budget.exhausted, retryable: false }
      : state.error;
  const result: TaskResultRefs = {
    diffPath: null,
    patchPath: null,
    branch: null,
    commit: null,
    filesChanged: 0,
    answerPath: null,
  };
  if (task.mode === 'ask' && state.answer !== null) {
    result.answerPath = join(task.outDir, 'answer.md');
    await writeFile(result.answerPath, state.answer);
  }
  let provenance: HunkOrigin[] = [];
  if (task.mode === 'code' && state.integration !== '' && state.integration !== state.baseCommit) {
    const scratch = new GitRepo(state.scratchDir);
    const diff = await commitDiff(deps, state.scratchDir, state.baseCommit, state.integration);
    result.filesChanged = diff.files.length;
    result.diffPath = join(task.outDir, 'diff.patch');
    await writeFile(result.diffPath, diff.patch);
    if (task.patchPath !== null) {
      await mkdir(dirname(task.patchPath), { recursive: true });
      await copyFile(result.diffPath, task.patchPath);
      result.patchPath = task.patchPath;
    }
    provenance = await traceHunks(state, diff.patch);
    deps.emit('merge', `provenance: ${provenance.length} hunk(s) traced to their subtasks`, { provenance });
    const published = await publishBranch({
      scratch,
      userRepoRoot: state.repoRoot,
      base: state.baseCommit,
      tree: state.integration,
      branch: task.branch,
      message: commitMessage(state),
      // A follow-up's commit goes on its parent's branch, after the parent's commit.
      ...(task.followup === null ? {} : { advanceFrom: task.followup.commit }),
    });
    result.branch = published.branch;
    result.commit = published.commit;
    const verb = task.followup === null ? 'created' : `advanced from ${task.followup.commit.slice(0, 10)}`;
    deps.emit('log', `branch ${published.branch} (${published.commit.slice(0, 10)}) ${verb} in ${state.repoRoot}`, {
      ...published,
      ...(task.followup === null ? {} : { parent: task.followup.parent, parentCommit: task.followup.commit }),
    });
  }
  // Only informational: a failed check is not worth failing the task for.
  if (state.repoRoot !== '' && (await hasUncommittedChanges(state.repoRoot).catch(() => false))) {
    deps.emit(
      'log',
      `uncommitted changes in ${state.repoRoot} were left out: the task worked from ${task.ref ?? 'HEAD'} (${state.baseCommit.slice(0, 10)})`,
      {
        uncommittedChanges: true,
      },
    );
  }
  return { status, error, result, provenance };
}

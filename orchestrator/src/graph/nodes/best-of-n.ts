import type { JobResult, Subtask } from '@codecrew/core';
import { GitRepo, commitPatch } from '../../git/index.ts';
import { diffSize, needsReviewTiebreak, pickWinner, type CandidateVerdict, type Selection } from '../best-of.ts';
import { failureOf, jobRecord, makeJob, runOnCrew } from '../jobs.ts';
import { treeArtifact } from '../trees.ts';
import { coderRepoContext, logAgentsMd } from '../repo-context.ts';
import type { GraphDeps } from '../deps.ts';
import type { JobRecord, SubtaskState, TaskStateUpdate } from '../state.ts';
import { landCandidate } from '../candidate.ts';
import type { CodePayload } from './code.ts';

interface Entry {
  verdict: CandidateVerdict;
  result: JobResult;
  commit: string | null;
}

async function judge(
  payload: CodePayload,
  deps: GraphDeps,
  subtask: Subtask,
  result: JobResult,
  attempt: number,
  jobs: JobRecord[],
): Promise<Entry> {
  const { assignment } = payload;
  const verdict: CandidateVerdict = {
    attempt,
    jobId: result.jobId,
    status: result.status,
    tests: null,
    review: null,
    diffLines: 0,
  };
  if (result.status !== 'succeeded' || result.output?.role !== 'coder' || result.output.patch === null)
    return { verdict, result, commit: null };
  const patch = Buffer.from(await deps.bus.getArtifact(result.output.patch)).toString('utf8');
  verdict.diffLines = diffSize(patch);
  const commit = await commitPatch(
    new GitRepo(payload.scratchDir),
    assignment.startCommit,
    patch,
    `codecrew: ${subtask.id} attempt ${attempt}`,
  );
  if (payload.testCommand !== null) {
    const tester = makeJob(payload, {
      id: `test-${subtask.id}-r${assignment.round}-a${attempt}`,
      role: 'tester',
      tree: await treeArtifact(deps, payload, commit),
      subtaskId: subtask.id,
      attempt,
      input: { role: 'tester', command: payload.testCommand },
    });
    const tested = await runOnCrew(deps, tester);
    jobs.push(jobRecord(tested, assignment.round));
    if (tested.status === 'succeeded' && tested.output?.role === 'tester') {
      const report = tested.output.report;
      verdict.tests = { exitCode: report.exitCode, passed: report.passed, failed: report.failed };
    }
  }
  return { verdict, result, commit };
}

async function reviewTie(
  payload: CodePayload,
  deps: GraphDeps,
  subtask: Subtask,
  entry: Entry,
  jobs: JobRecord[],
): Promise<void> {
  if (entry.commit === null || entry.result.output?.role !== 'coder' || entry.result.output.patch === null) return;
  const reviewer = makeJob(payload, {
    id: `review-${subtask.id}-r${payload.assignment.round}-a${entry.verdict.attempt}`,
    role: 'reviewer',
    tree: await treeArtifact(deps, payload, entry.commit),
    subtaskId: subtask.id,
    attempt: entry.verdict.attempt,
    input: {
      role: 'reviewer',
      diff: entry.result.output.patch,
      tests: null,
      subtaskSummaries: [{ id: subtask.id, title: subtask.title, summary: entry.result.output.summary }],
    },
  });
  const reviewed = await runOnCrew(deps, reviewer);
  jobs.push(jobRecord(reviewed, payload.assignment.round));
  if (reviewed.status === 'succeeded' && reviewed.output?.role === 'reviewer')
    entry.verdict.review = reviewed.output.review.verdict;
}

/**
 * Best-of-N: N coders on the same subtask in separate sandboxes; each
 * candidate is tested on its own tree, ties go to the reviewer, and the best
 * candidate joins the merge train. Every candidate and the reason for the pick
 * are recorded.
 */
export async function bestOfN(
  payload: CodePayload,
  deps: GraphDeps,
  subtask: Subtask,
  attempts: number,
): Promise<TaskStateUpdate> {
  const { assignment } = payload;
  const [tree, repo] = await Promise.all([
    treeArtifact(deps, payload, assignment.startCommit),
    coderRepoContext(deps, payload.scratchDir, assignment.startCommit, subtask, payload.testCommand),
  ]);
  logAgentsMd(deps, subtask.id, repo);
  const coders = Array.from({ length: attempts }, (_, index) =>
    makeJob(payload, {
      id: `code-${subtask.id}-r${assignment.round}-a${index + 1}`,
      role: 'coder',
      tree,
      subtaskId: subtask.id,
      attempt: index + 1,
      input: { role: 'coder', kind: assignment.kind, subtask, instructions: assignment.instructions },
      repo,
    }),
  );
  const results = await Promise.all(coders.map((job) => runOnCrew(deps, job)));
  const jobs: JobRecord[] = results.map((result) => jobRecord(result, assignment.round));
  const entries = await Promise.all(
    results.map((result, index) => judge(payload, deps, subtask, result, index + 1, jobs)),
  );
  const tied = needsReviewTiebreak(entries.map((e) => e.verdict));
  await Promise.all(
    entries.filter((e) => tied.includes(e.verdict)).map((e) => reviewTie(payload, deps, subtask, e, jobs)),
  );
  const { winner, reason } = pickWinner(entries.map((e) => e.verdict));
  const selection: Selection = {
    subtaskId: subtask.id,
    round: assignment.round,
    candidates: entries.map((e) => e.verdict),
    winner: winner?.attempt ?? null,
    reason,
  };
  deps.emit(
    'log',
    `${subtask.id}: best of ${attempts} → ${winner ? `attempt ${winner.attempt} (${reason})` : `none (${reason})`}`,
    { selection },
  );
  const chosen = entries.find((e) => e.verdict === winner);
  if (!chosen || chosen.result.output?.role !== 'coder') {
    const why = results.map((r) => failureOf(r)).join('; ');
    return {
      jobs,
      selections: [selection],
      subtasks: {
        [subtask.id]: {
          status: 'failed',
          error: `no usable candidate: ${reason} (${why})`,
          next: null,
        } as SubtaskState,
      },
    };
  }
  const output = chosen.result.output;
  const candidate = await landCandidate(
    deps,
    payload.scratchDir,
    {
      subtaskId: subtask.id,
      jobId: chosen.result.jobId,
      kind: assignment.kind,
      round: assignment.round,
      startCommit: assignment.startCommit,
      mergeBase: assignment.startCommit,
      patch: output.patch,
      summary: output.summary,
      changedFiles: output.changedFiles,
    },
    chosen.commit ?? undefined,
  );
  return {
    jobs,
    selections: [selection],
    candidates: [candidate],
    subtasks: { [subtask.id]: { summary: output.summary, next: null } as SubtaskState },
  };
}

import { Send } from '@langchain/langgraph';
import type { ReviewComment } from '@codecrew/core';
import type { CodePayload } from './nodes/code.ts';
import type { CodeAssignment } from './state.ts';
import type { TaskStateValue } from './state.ts';

/** Turns a file glob (`src/**`, `*.js`) into a regular expression. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] as string;
    if (char === '*' && glob[i + 1] === '*') {
      pattern += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/** One Send per assignment, all started together. */
function wave(state: TaskStateValue, assignments: CodeAssignment[]): Send[] {
  return assignments.map((assignment) => {
    const body: CodePayload = {
      task: state.task,
      agentsMd: state.agentsMd,
      scratchDir: state.scratchDir,
      plan: state.taskPlan ?? { summary: '', subtasks: [] },
      // An empty start means "the integrated tree as it is now".
      assignment: {
        ...assignment,
        startCommit: assignment.startCommit === '' ? state.integration : assignment.startCommit,
      },
      conflictTries: state.subtasks[assignment.subtaskId]?.conflictTries ?? 0,
      testCommand: state.testCommand,
    };
    return new Send('code', body);
  });
}

/** Subtasks not yet started whose dependencies (stated, or implied by overlapping files) are all merged, in plan order. */
export function readySubtasks(state: TaskStateValue): string[] {
  const statusOf = (id: string) => state.subtasks[id]?.status;
  const finished = (id: string) => ['merged', 'failed', 'skipped'].includes(statusOf(id) ?? '');
  return (state.taskPlan?.subtasks ?? [])
    .filter((s) => statusOf(s.id) === 'pending')
    .filter((s) => s.depends_on.every((dep) => statusOf(dep) === 'merged'))
    .filter((s) => state.ordering.filter((o) => o.subtaskId === s.id).every((o) => finished(o.after)))
    .map((s) => s.id);
}

/** The next wave: follow-up work of subtasks (conflict resolution, re-runs), then subtasks that became ready. */
function waveSends(state: TaskStateValue): Send[] {
  const followUps = (state.taskPlan?.subtasks ?? [])
    .map((s) => state.subtasks[s.id]?.next)
    .filter((next): next is CodeAssignment => next !== null && next !== undefined);
  const ready = readySubtasks(state).map((subtaskId): CodeAssignment => ({
    subtaskId,
    kind: 'implement',
    instructions: '',
    round: state.round,
    startCommit: state.integration,
  }));
  return wave(state, [...followUps, ...ready]);
}

/** After planning: the first wave of coders, or the end. */
export function afterPlan(state: TaskStateValue): Send[] | 'finalize' {
  if (state.status !== 'running') return 'finalize';
  const sends = waveSends(state);
  return sends.length > 0 ? sends : 'finalize';
}

/** After a merge train: the next wave, else the tests, else the end when nothing was merged. */
export function afterIntegrate(state: TaskStateValue): Send[] | 'test' | 'finalize' {
  if (state.status !== 'running') return 'finalize';
  const sends = waveSends(state);
  if (sends.length > 0) return sends;
  const merged = Object.values(state.subtasks).some((s) => s.status === 'merged');
  return merged && state.integration !== state.baseCommit ? 'test' : 'finalize';
}

/**
 * Subtasks to blame for failing tests: owners of the files the test output
 * names, else the subtasks merged in the latest round.
 */
export function testFailureOwners(state: TaskStateValue, output: string): string[] {
  const merged = (state.taskPlan?.subtasks ?? []).filter((s) => state.subtasks[s.id]?.status === 'merged');
  const named = new Set<string>();
  for (const subtask of merged) {
    for (const file of state.subtasks[subtask.id]?.changedFiles ?? []) {
      if (output.includes(file)) named.add(ownerOf(file, state) ?? subtask.id);
    }
  }
  if (named.size > 0) return [...named];
  const latest = state.merges.filter((m) => m.round === state.round && m.status === 'clean').map((m) => m.subtaskId);
  return [...new Set(latest)];
}

/** After the tests: failing tests go back to the subtasks that own them (within the rounds), else the review. */
export function afterTest(state: TaskStateValue): Send[] | 'review' | 'finalize' {
  if (state.status !== 'running') return 'finalize';
  const tests = state.lastTests;
  if (tests === null || tests.exitCode === 0 || state.round >= state.task.reviewRounds) return 'review';
  const owners = testFailureOwners(state, tests.outputExcerpt);
  if (owners.length === 0) return 'review';
  const instructions = `The tests fail on the merged tree (\`${tests.command}\` exit ${tests.exitCode}; ${tests.passed} passed, ${tests.failed} failed). Find the cause in your part of the change and fix it; run the tests before you finish.\n\n${tests.outputExcerpt.slice(-3000)}`;
  return wave(
    state,
    owners.map((subtaskId) => ({
      subtaskId,
      kind: 'fix',
      instructions,
      round: state.round + 1,
      startCommit: state.integration,
    })),
  );
}

/** The subtask that owns a file: the one that changed it, else the one whose globs match, else the first merged one. */
export function ownerOf(path: string, state: TaskStateValue): string | null {
  const subtasks = state.taskPlan?.subtasks ?? [];
  const merged = subtasks.filter((s) => state.subtasks[s.id]?.status === 'merged');
  const changer = merged.find((s) => state.subtasks[s.id]?.changedFiles.includes(path));
  if (changer) return changer.id;
  const matcher = merged.find((s) => s.files.some((glob) => globToRegExp(glob).test(path)));
  if (matcher) return matcher.id;
  return merged[0]?.id ?? null;
}

function formatComments(comments: ReviewComment[]): string {
  return comments.map((c) => `- ${c.path}${c.line ? `:${c.line}` : ''} [${c.severity}] ${c.body}`).join('\n');
}

/** After the review: the end, or fix jobs that route each comment to the subtask owning its file. */
export function afterReview(state: TaskStateValue): Send[] | 'finalize' {
  const review = state.lastReview;
  if (state.status !== 'running' || review === null || review.verdict === 'approve') return 'finalize';
  if (state.round >= state.task.reviewRounds) return 'finalize';
  const bySubtask = new Map<string, ReviewComment[]>();
  for (const comment of review.comments) {
    const owner = ownerOf(comment.path, state);
    if (owner === null) continue;
    bySubtask.set(owner, [...(bySubtask.get(owner) ?? []), comment]);
  }
  if (bySubtask.size === 0) return 'finalize';
  const tests = state.lastTests;
  const testNote =
    tests && tests.exitCode !== 0
      ? `\n\nThe tests currently fail (\`${tests.command}\`, exit ${tests.exitCode}):\n${tests.outputExcerpt.slice(-1500)}`
      : '';
  return wave(
    state,
    [...bySubtask.entries()].map(([subtaskId, comments]) => ({
      subtaskId,
      kind: 'fix',
      instructions: `The reviewer requested changes (${review.summary}):\n${formatComments(comments)}${testNote}`,
      round: state.round + 1,
      startCommit: state.integration,
    })),
  );
}

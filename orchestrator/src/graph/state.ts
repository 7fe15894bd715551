import { Annotation } from '@langchain/langgraph';
import type { ArtifactRef, ErrorData, Plan, Review, Role, TestReport, Usage } from '@codecrew/core';
import type { TreeChange } from '../git/index.ts';
import type { ResolvedTask } from '../task/resolve.ts';
import type { Ordering } from './overlap.ts';
import type { Selection } from './best-of.ts';
import type { PullRequestOutcome, PushOutcome } from '../deliver/outcome.ts';

/** One coder assignment: what to do for a subtask, and from which tree. */
export interface CodeAssignment {
  subtaskId: string;
  kind: 'implement' | 'fix' | 'resolve';
  instructions: string;
  round: number;
  /** The tree the coder starts from; empty means "the integrated tree when it is sent". */
  startCommit: string;
  /** The merge base for its patch, when it is not `startCommit` (a resolver starts from a conflicted tree). */
  mergeBase?: string;
}

/** Where one subtask stands. */
export interface SubtaskState {
  id: string;
  title: string;
  /** `conflict`: its patch conflicted; a resolver or a re-run is on its way. */
  status: 'pending' | 'running' | 'merged' | 'failed' | 'skipped' | 'conflict';
  summary: string;
  changedFiles: string[];
  error: string | null;
  /** 0 no conflict yet; 1 a resolver was sent; 2 the subtask was re-run from the integrated tree. */
  conflictTries: number;
  /** Work to send for this subtask at the next routing (conflict resolution or a re-run). */
  next: CodeAssignment | null;
}

/** A coder's patch waiting to be merged. */
export interface PatchCandidate {
  subtaskId: string;
  jobId: string;
  kind: 'implement' | 'fix' | 'resolve';
  round: number;
  startCommit: string;
  mergeBase: string;
  patch: ArtifactRef | null;
  summary: string;
  changedFiles: string[];
  /** The changed files' new bytes, as the coder sent them (a file set). */
  files?: ArtifactRef | null;
  /** The patch committed onto `startCommit`, when that was needed to find `changes`. */
  commit?: string;
  /** What the commit changes relative to `mergeBase`; lets the merge train skip git's merge when no one else touched those paths. */
  changes?: TreeChange[];
}

/** A finished job, as the task remembers it (the full result stays on the results stream). */
export interface JobRecord {
  jobId: string;
  role: Role;
  subtaskId?: string;
  round: number;
  status: 'succeeded' | 'failed' | 'cancelled';
  error?: ErrorData;
  /** A coder that ran out of steps and handed over its changes unfinished. */
  incomplete?: 'steps_exhausted';
  usage: Usage;
  startedAt: string;
  finishedAt: string;
  worker: string;
}

/** One step of the merge train. */
export interface MergeRecord {
  subtaskId: string;
  jobId: string;
  round: number;
  status: 'clean' | 'conflict' | 'empty' | 'failed';
  kind?: 'implement' | 'fix' | 'resolve';
  commit?: string;
  conflicts?: string[];
  message?: string;
}

/** Who wrote one hunk of the final diff. */
export interface HunkOrigin {
  file: string;
  hunk: string;
  subtasks: string[];
  jobs: string[];
  /** True for pure deletions, attributed to the merges that touched the file. */
  inferred: boolean;
}

/** What the task hands back. */
export interface TaskResultRefs {
  diffPath: string | null;
  patchPath: string | null;
  branch: string | null;
  commit: string | null;
  filesChanged: number;
  answerPath: string | null;
  /** `output.push`: how pushing the branch went (absent: not asked for). */
  push?: PushOutcome | null;
  /** `output.pullRequest`: the pull request opened or updated (absent: not asked for). */
  pullRequest?: PullRequestOutcome | null;
}

/** How a task ended. */
export type TaskStatus =
  | 'running'
  | 'approved'
  | 'changes_requested'
  | 'tests_failed'
  | 'failed'
  | 'answered'
  | 'cancelled'
  | 'budget_exhausted';

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_old: T, next: T) => next, default: fallback });
const append = <T>() => Annotation<T[]>({ reducer: (old: T[], next: T[]) => old.concat(next), default: () => [] });

/** The orchestrator's LangGraph state. Large things (trees, patches, logs) are artifact references. */
export const TaskState = Annotation.Root({
  task: Annotation<ResolvedTask>,
  status: replace<TaskStatus>(() => 'running'),
  error: replace<ErrorData | null>(() => null),
  /** The top of the user's repository, where the branch goes. */
  repoRoot: replace<string>(() => ''),
  baseCommit: replace<string>(() => ''),
  integration: replace<string>(() => ''),
  scratchDir: replace<string>(() => ''),
  agentsMd: replace<string>(() => ''),
  agentsMdFiles: replace<string[]>(() => []),
  testCommand: replace<string | null>(() => null),
  testCommandSource: replace<string>(() => ''),
  taskPlan: replace<Plan | null>(() => null),
  /** Subtasks held back because their files overlap an earlier one's. */
  ordering: replace<Ordering[]>(() => []),
  subtasks: Annotation<Record<string, SubtaskState>>({
    reducer: (old, next) => {
      const merged = { ...old };
      for (const [id, update] of Object.entries(next)) merged[id] = { ...(old[id] ?? update), ...update };
      return merged;
    },
    default: () => ({}),
  }),
  /** Patches of the current wave; `null` empties the list after the merge train. */
  candidates: Annotation<PatchCandidate[], PatchCandidate[] | null>({
    reducer: (old, next) => (next === null ? [] : old.concat(next)),
    default: () => [],
  }),
  round: replace<number>(() => 0),
  jobs: append<JobRecord>(),
  /** Best-of-N picks: every candidate and why the winner won. */
  selections: append<Selection>(),
  merges: append<MergeRecord>(),
  lastTests: replace<TestReport | null>(() => null),
  testRuns: append<TestReport & { round: number }>(),
  lastReview: replace<Review | null>(() => null),
  reviews: append<Review & { round: number }>(),
  answer: replace<string | null>(() => null),
  result: replace<TaskResultRefs | null>(() => null),
  /** Every hunk of the final diff, traced to its subtask and job. */
  provenance: replace<HunkOrigin[]>(() => []),
});

export type TaskStateValue = typeof TaskState.State;
export type TaskStateUpdate = typeof TaskState.Update;

/** The state of a task before its first node: what the report falls back to when the graph never ran. */
export function emptyTaskState(task: ResolvedTask): TaskStateValue {
  return {
    task,
    status: 'running',
    error: null,
    repoRoot: '',
    baseCommit: '',
    integration: '',
    scratchDir: '',
    agentsMd: '',
    agentsMdFiles: [],
    testCommand: task.testCommand,
    testCommandSource: '',
    taskPlan: null,
    ordering: [],
    subtasks: {},
    candidates: [],
    round: 0,
    jobs: [],
    selections: [],
    merges: [],
    lastTests: null,
    testRuns: [],
    lastReview: null,
    reviews: [],
    answer: null,
    result: null,
    provenance: [],
  };
}

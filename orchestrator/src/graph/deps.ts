import type { Bus } from '@codecrew/bus';
import type { ArtifactRef, FileSetEntry, TraceKind } from '@codecrew/core';
import type { CommitDiff } from '../git/index.ts';
import type { TaskBudget } from './budget.ts';
import { OnceMap } from './once-map.ts';
import type { Slots } from './slots.ts';

/**
 * What a task run computes once and shares between its nodes. Only derived
 * data lives here (it can always be made again from the state), so a resumed
 * run starts with an empty cache and loses nothing.
 */
export interface TaskCache {
  /** Shared tree artifacts, by commit. */
  trees: OnceMap<string, ArtifactRef>;
  /** The changed files coders sent with their patches, by artifact name. */
  fileSets: OnceMap<string, FileSetEntry[]>;
  /** The paths of a commit's tree, by commit. */
  treeFiles: OnceMap<string, string[]>;
  /** Every AGENTS.md file of a commit's tree, by commit, then by path. */
  agentsMdFiles: OnceMap<string, Map<string, Buffer>>;
  /** Diffs between two commits (the reviewer's and the result's), by `from..to`. */
  diffs: OnceMap<string, CommitDiff>;
}

/** A fresh, empty {@link TaskCache}. */
export function newTaskCache(): TaskCache {
  return {
    trees: new OnceMap(),
    fileSets: new OnceMap(),
    treeFiles: new OnceMap(),
    agentsMdFiles: new OnceMap(),
    diffs: new OnceMap(),
  };
}

/** What the graph's nodes need besides their state; never checkpointed. */
export interface GraphDeps {
  bus: Bus;
  /** Publishes an orchestrator event for the task. */
  emit(kind: TraceKind, message: string, data?: Record<string, unknown>): void;
  /** Aborted when the task is cancelled. */
  signal: AbortSignal;
  /** Tokens, cost and time; no new job starts once one is used up. */
  budget: TaskBudget;
  /** Coder jobs at once: the task's `parallelism`. */
  coderSlots: Slots;
  cache: TaskCache;
  /**
   * The task's checkpoints existed before this run (it picks up where an
   * earlier run stopped): only then can a job already have a result, so only
   * then is the results stream asked before a job is sent.
   */
  resumed: boolean;
}

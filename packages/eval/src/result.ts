import type { TestOutcome } from './judge.ts';

/** The set-ups an eval compares: one coder with no planner, the full crew, or the gold patch. */
export type EvalSet = 'solo' | 'crew' | 'gold';

/** How one instance ended: judged resolved, judged not resolved, or not judged (infrastructure). */
export type InstanceOutcome = 'resolved' | 'unresolved' | 'error';

/** The record of one instance run under one set. Paths are relative to the eval's output folder. */
export interface InstanceResult {
  instance_id: string;
  set: EvalSet;
  outcome: InstanceOutcome;
  resolved: boolean;
  /** An infrastructure error (sandbox, model endpoint, NATS, repository): the instance was not judged. */
  error: { code: string; message: string } | null;
  /** Why the patch did not apply, or null. */
  patchError: string | null;
  tests: { before: TestOutcome[]; after: TestOutcome[] | null };
  /** The codecrew task's status (`approved`, `tests_failed`, ...); `gold` for --gold. */
  taskStatus: string;
  reviewVerdict: string | null;
  subtasks: number;
  modelCalls: number;
  tokens: number;
  costUsd: number;
  wallMs: number;
  diffLines: number;
  paths: { diff: string | null; judgeLog: string | null; trace: string | null; taskReport: string | null };
}

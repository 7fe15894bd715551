import type { Plan, Review, TraceEvent } from '@codecrew/core';

/** A trace event with the sequence number the server gave it (the SSE `id`, or its line in trace.jsonl). */
export interface SeqEvent {
  seq: number;
  event: TraceEvent;
}

/** Tokens, cost and calls, summed. */
export interface Usage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/** One row of `GET /v1/tasks`. */
export interface TaskSummary {
  id: string;
  name: string;
  status: string;
  created_at: string;
  started_at?: string | null;
  ended_at?: string | null;
  repo?: string | null;
  spec?: { repo?: { path?: string; url?: string } } | null;
  subtasks?: { id: string; title?: string; status: string }[];
  usage?: { tokens?: number; cost_usd?: number; model_calls?: number } | null;
  result?: {
    status?: string;
    branch?: string | null;
    tests?: { passed: number; failed: number } | null;
    review?: { verdict?: string } | null;
  } | null;
  /** The plan's approval, for a task whose spec asks for one. */
  approval?: {
    state: 'awaiting' | 'approved' | 'edited' | 'rejected';
    since: string;
    deadline: string | null;
    on_timeout: 'approve' | 'cancel';
    decided_by: string | null;
  } | null;
}

/** The hunk origins of report.json: which subtasks and jobs wrote each hunk of the final diff. */
export interface HunkOrigin {
  file: string;
  hunk: string;
  subtasks: string[];
  jobs: string[];
  inferred: boolean;
}

/** One candidate of a best-of-N subtask, as judged. */
export interface Candidate {
  attempt: number;
  jobId: string;
  status: string;
  tests: { exitCode: number | null; passed: number; failed: number } | null;
  review: string | null;
  diffLines: number;
}

/** The winner of a best-of-N subtask (an attempt number) and why it won. */
export interface Selection {
  subtaskId: string;
  round: number;
  candidates: Candidate[];
  winner: number | null;
  reason: string;
}

/** One merge of a coder's or resolver's work into the integration branch. */
export interface MergeRecord {
  subtaskId: string;
  jobId: string;
  round: number;
  status: string;
  kind?: string;
  conflicts?: string[];
  message?: string;
}

/** The parts of report.json the viewer reads. */
export interface TaskReport {
  taskId: string;
  name: string;
  mode: string;
  status: string;
  prompt?: string;
  plan?: Plan | null;
  tests?: {
    command: string;
    exitCode: number;
    passed: number;
    failed: number;
    skipped?: number;
    outputExcerpt?: string;
    round?: number;
  }[];
  reviews?: (Review & { round?: number })[];
  selections?: Selection[];
  merges?: MergeRecord[];
  answer?: string | null;
  result?: { branch?: string | null; commit?: string | null; filesChanged?: number } | null;
  provenance?: HunkOrigin[];
  usage?: Usage & { byRole?: Record<string, Usage>; bySubtask?: Record<string, Usage> };
  timings?: { startedAt?: string; finishedAt?: string; durationMs?: number };
}

export type { TraceEvent };

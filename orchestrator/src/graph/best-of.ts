/** One candidate of a best-of-N subtask, as judged. */
export interface CandidateVerdict {
  attempt: number;
  jobId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  /** Test results on the candidate's tree; null when no test ran. */
  tests: { exitCode: number | null; passed: number; failed: number } | null;
  /** The reviewer's verdict, when a review was needed to break a tie. */
  review: 'approve' | 'request_changes' | null;
  /** Lines added plus lines deleted. */
  diffLines: number;
}

/** The winner of a best-of-N subtask and why it won. */
export interface Selection {
  subtaskId: string;
  round: number;
  candidates: CandidateVerdict[];
  winner: number | null;
  reason: string;
}

const passes = (c: CandidateVerdict) => c.tests !== null && c.tests.exitCode === 0;
const failures = (c: CandidateVerdict) =>
  c.tests === null ? Number.POSITIVE_INFINITY : c.tests.exitCode === 0 ? 0 : Math.max(1, c.tests.failed);

/**
 * Picks the best candidate: all tests passing first, then fewest failures,
 * then the reviewer's preference, then the smaller diff, then the earlier attempt.
 */
export function pickWinner(candidates: CandidateVerdict[]): { winner: CandidateVerdict | null; reason: string } {
  const usable = candidates.filter((c) => c.status === 'succeeded' && c.diffLines > 0);
  if (usable.length === 0) return { winner: null, reason: 'no candidate produced a change' };
  if (usable.length === 1) return { winner: usable[0] ?? null, reason: 'the only candidate that produced a change' };
  const steps: Array<{ key: (c: CandidateVerdict) => number; why: (c: CandidateVerdict) => string }> = [
    { key: (c) => (passes(c) ? 0 : 1), why: () => 'all its tests pass' },
    { key: failures, why: (c) => `fewest failing tests (${failures(c)})` },
    { key: (c) => (c.review === 'approve' ? 0 : c.review === null ? 1 : 2), why: () => 'the reviewer approved it' },
    { key: (c) => c.diffLines, why: (c) => `the smallest diff (${c.diffLines} lines)` },
  ];
  let field = usable;
  for (const step of steps) {
    const best = Math.min(...field.map(step.key));
    const leaders = field.filter((c) => step.key(c) === best);
    if (leaders.length === 1 && leaders[0]) return { winner: leaders[0], reason: step.why(leaders[0]) };
    field = leaders;
  }
  const first = [...field].sort((a, b) => a.attempt - b.attempt)[0] ?? null;
  return { winner: first, reason: 'tied on everything; the earliest attempt' };
}

/** Whether the leaders after tests and failures are still tied, so that a review should break the tie. */
export function needsReviewTiebreak(candidates: CandidateVerdict[]): CandidateVerdict[] {
  const usable = candidates.filter((c) => c.status === 'succeeded' && c.diffLines > 0);
  if (usable.length < 2) return [];
  const bestPass = Math.min(...usable.map((c) => (passes(c) ? 0 : 1)));
  const passing = usable.filter((c) => (passes(c) ? 0 : 1) === bestPass);
  const bestFail = Math.min(...passing.map(failures));
  const leaders = passing.filter((c) => failures(c) === bestFail);
  return leaders.length > 1 ? leaders : [];
}

/** Lines added plus deleted in a unified diff. */
export function diffSize(patch: string): number {
  let lines = 0;
  for (const line of patch.split('\n')) {
    if ((line.startsWith('+') && !line.startsWith('+++')) || (line.startsWith('-') && !line.startsWith('---')))
      lines += 1;
  }
  return lines;
}

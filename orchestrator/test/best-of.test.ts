import { describe, expect, it } from 'vitest';
import { diffSize, needsReviewTiebreak, pickWinner, type CandidateVerdict } from '../src/graph/best-of.ts';

const candidate = (attempt: number, over: Partial<CandidateVerdict>): CandidateVerdict => ({
  attempt,
  jobId: `j${attempt}`,
  status: 'succeeded',
  tests: { exitCode: 1, passed: 1, failed: 2 },
  review: null,
  diffLines: 10,
  ...over,
});

describe('best-of-N selection', () => {
  it('prefers passing tests, then fewest failures, then the review, then the smaller diff', () => {
    const pass = { exitCode: 0, passed: 3, failed: 0 };
    expect(pickWinner([candidate(1, {}), candidate(2, { tests: pass }), candidate(3, {})])).toEqual({
      winner: candidate(2, { tests: pass }),
      reason: 'all its tests pass',
    });
    const oneFail = { exitCode: 1, passed: 2, failed: 1 };
    expect(pickWinner([candidate(1, {}), candidate(2, { tests: oneFail })]).reason).toBe('fewest failing tests (1)');
    expect(
      pickWinner([
        candidate(1, { tests: pass, review: 'request_changes' }),
        candidate(2, { tests: pass, review: 'approve' }),
      ]).winner?.attempt,
    ).toBe(2);
    expect(
      pickWinner([candidate(1, { tests: pass, diffLines: 30 }), candidate(2, { tests: pass, diffLines: 12 })]),
    ).toMatchObject({ reason: 'the smallest diff (12 lines)' });
    expect(pickWinner([candidate(1, { tests: pass }), candidate(2, { tests: pass })]).reason).toBe(
      'tied on everything; the earliest attempt',
    );
  });

  it('ignores failed jobs and empty changes', () => {
    expect(pickWinner([candidate(1, { status: 'failed' }), candidate(2, { diffLines: 0 })])).toEqual({
      winner: null,
      reason: 'no candidate produced a change',
    });
    expect(pickWinner([candidate(1, { status: 'failed' }), candidate(2, {})]).reason).toBe(
      'the only candidate that produced a change',
    );
  });

  it('asks the reviewer only when the test results tie', () => {
    const pass = { exitCode: 0, passed: 3, failed: 0 };
    expect(needsReviewTiebreak([candidate(1, { tests: pass }), candidate(2, {})])).toEqual([]);
    expect(
      needsReviewTiebreak([candidate(1, { tests: pass }), candidate(2, { tests: pass }), candidate(3, {})]).map(
        (c) => c.attempt,
      ),
    ).toEqual([1, 2]);
  });

  it('measures a diff by changed lines', () => {
    expect(diffSize('--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n+d\n')).toBe(3);
  });
});

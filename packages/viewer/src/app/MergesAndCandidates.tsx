import type { MergeRecord, Selection } from '../data/types.ts';
import { shortJobId } from '../data/diff.ts';

/** Best-of-N: each subtask's candidates side by side, the winner marked, and why it won. */
export function Candidates({
  selections,
  onSelectJob,
}: {
  selections: Selection[];
  onSelectJob: (jobId: string) => void;
}) {
  return (
    <>
      {selections.map((selection) => (
        <div key={`${selection.subtaskId}-${selection.round}`} className="candidates">
          <p>
            <strong>{selection.subtaskId}</strong> (round {selection.round}):{' '}
            {selection.winner === null ? 'no winner' : `attempt ${selection.winner} won`} — {selection.reason}
          </p>
          <table className="usage">
            <thead>
              <tr>
                <th>attempt</th>
                <th>job</th>
                <th>status</th>
                <th>tests</th>
                <th>review</th>
                <th>diff lines</th>
              </tr>
            </thead>
            <tbody>
              {selection.candidates.map((candidate) => (
                <tr key={candidate.jobId} className={candidate.attempt === selection.winner ? 'winner' : undefined}>
                  <th scope="row">
                    {candidate.attempt}
                    {candidate.attempt === selection.winner ? ' ★' : ''}
                  </th>
                  <td>
                    <button type="button" className="link" onClick={() => onSelectJob(candidate.jobId)}>
                      {shortJobId(candidate.jobId)}
                    </button>
                  </td>
                  <td>{candidate.status}</td>
                  <td>
                    {candidate.tests === null
                      ? '–'
                      : `${candidate.tests.passed} passed, ${candidate.tests.failed} failed (exit ${candidate.tests.exitCode ?? '–'})`}
                  </td>
                  <td>{candidate.review ?? '–'}</td>
                  <td>{candidate.diffLines}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

/** The merge train: each merge, its conflicts, and the resolver's merges that settled them. */
export function Merges({ merges, onSelectJob }: { merges: MergeRecord[]; onSelectJob: (jobId: string) => void }) {
  return (
    <ul className="merges">
      {merges.map((merge, index) => (
        <li key={index}>
          <span className={`status merge-${merge.status}`}>{merge.status}</span> {merge.subtaskId} (
          {merge.kind ?? 'implement'}, round {merge.round}) by{' '}
          <button type="button" className="link" onClick={() => onSelectJob(merge.jobId)}>
            {shortJobId(merge.jobId)}
          </button>
          {merge.conflicts !== undefined && merge.conflicts.length > 0 && (
            <> — conflicts in {merge.conflicts.join(', ')}</>
          )}
          {merge.message !== undefined && <span className="muted"> — {merge.message}</span>}
        </li>
      ))}
    </ul>
  );
}

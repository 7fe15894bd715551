import { memo, useMemo } from 'react';
import { isSilent, type Folded, type Lane, type Mark } from '../data/fold.ts';
import { formatDuration } from './format.ts';

/** Marks closer together than this share of the axis are drawn as one (keeps big traces light). */
const BUCKETS = 400;
/** A running lane quiet this long is flagged. */
export const SILENT_AFTER_MS = 60_000;

interface Props {
  folded: Folded;
  now: number;
  selectedJob?: string;
  selectedMark?: number;
  onSelectMark: (lane: Lane, mark: Mark) => void;
}

function ticks(span: number): number[] {
  const steps = [
    100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
  ];
  const step = steps.find((s) => span / s <= 10) ?? 3_600_000;
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}

/** The marks of a lane, at most one per kind and bucket of the axis: the first of a bucket stands for the rest. */
function visibleMarks(lane: Lane, start: number, span: number): { mark: Mark; count: number }[] {
  const out: { mark: Mark; count: number }[] = [];
  const lastOfKind = new Map<string, { bucket: number; item: { mark: Mark; count: number } }>();
  for (const mark of lane.marks) {
    const bucket = Math.floor(((mark.start - start) / span) * BUCKETS);
    const last = lastOfKind.get(mark.kind);
    if (last !== undefined && last.bucket === bucket) {
      last.item.count++;
      continue;
    }
    const item = { mark, count: 1 };
    out.push(item);
    lastOfKind.set(mark.kind, { bucket, item });
  }
  return out;
}

const LaneRow = memo(function LaneRow(props: {
  lane: Lane;
  start: number;
  span: number;
  now: number;
  selected: boolean;
  selectedMark?: number;
  version: number;
  onSelectMark: Props['onSelectMark'];
}) {
  const { lane, start, span, now } = props;
  const pct = (t: number) => `${(((t - start) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(0.15, ((b - a) / span) * 100).toFixed(3)}%`;
  const silent = isSilent(lane, now, SILENT_AFTER_MS);
  const end = lane.end ?? now;
  return (
    <div className={`lane${props.selected ? ' lane-selected' : ''}`} id={`lane-${lane.jobId}`} role="row">
      <div className="lane-label" role="rowheader" title={lane.jobId}>
        <span className={`role role-${lane.role}`}>{lane.label}</span>
        <span className={`lane-status status-${lane.status}`}>{lane.status}</span>
        {silent && (
          <span className="silent" title="no event from this job for a while">
            silent {formatDuration(now - lane.lastActivity)}
          </span>
        )}
      </div>
      <div className="lane-track" role="cell">
        <div
          className={`lane-bar role-${lane.role}`}
          style={{ left: pct(lane.start), width: width(lane.start, end) }}
        />
        {visibleMarks(lane, start, span).map(({ mark, count }) => (
          <button
            type="button"
            key={mark.id}
            className={`mark mark-${mark.kind}${mark.ok === false ? ' mark-bad' : ''}${props.selectedMark === mark.id ? ' mark-selected' : ''}`}
            style={{ left: pct(mark.start), width: width(mark.start, mark.end ?? now) }}
            aria-label={`${mark.kind}: ${mark.label}${count > 1 ? ` and ${count - 1} more` : ''}`}
            title={`${mark.kind}: ${mark.label}${count > 1 ? ` (+${count - 1})` : ''}`}
            onClick={() => props.onSelectMark(lane, mark)}
          />
        ))}
      </div>
    </div>
  );
});

/** One lane per job on a shared time axis: parallel work shows as parallel bars, calls and commands as marks. */
export function Swimlanes({ folded, now, selectedJob, selectedMark, onSelectMark }: Props) {
  const start = Number.isFinite(folded.start) ? folded.start : now;
  const last = folded.finished ? folded.end : Math.max(folded.end, now);
  const span = Math.max(1000, last - start);
  const axis = useMemo(() => ticks(span), [span]);
  if (folded.lanes.length === 0) return <p className="muted">No job has started yet.</p>;
  return (
    <div className="swimlanes" role="table" aria-label="Jobs on a shared time axis">
      <div className="lane axis" role="row">
        <div className="lane-label" role="columnheader">
          job
        </div>
        <div className="lane-track" role="columnheader">
          {axis.map((t) => (
            <span
              key={t}
              // A tick near the right edge writes its label to the left of its line, so that it is not cut.
              className={t / span > 0.93 ? 'tick tick-end' : 'tick'}
              style={{ left: `${((t / span) * 100).toFixed(3)}%` }}
            >
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      {folded.lanes.map((lane) => (
        <LaneRow
          key={lane.jobId}
          lane={lane}
          start={start}
          span={span}
          now={folded.finished ? folded.end : now}
          selected={lane.jobId === selectedJob}
          selectedMark={selectedMark}
          version={lane.marks.length + (lane.end ?? 0)}
          onSelectMark={onSelectMark}
        />
      ))}
      <p className="legend">
        <span className="mark-key mark-model" /> model call <span className="mark-key mark-tool" /> tool call{' '}
        <span className="mark-key mark-command" /> command <span className="mark-key mark-message" /> your message{' '}
        <span className="mark-key mark-bad" /> failed
      </p>
    </div>
  );
}

import { useMemo, useState } from 'react';
import type { SeqEvent } from '../data/types.ts';

const ROW = 22;
const HEIGHT = 330;

/** Every trace event in a virtualised list (only the rows in view are drawn), with a text filter. */
export function EventList({ events, version }: { events: readonly SeqEvent[]; version: number }) {
  const [filter, setFilter] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (needle === '') return events;
    return events.filter(
      ({ event }) =>
        event.kind.includes(needle) ||
        event.message.toLowerCase().includes(needle) ||
        (event.jobId ?? '').toLowerCase().includes(needle),
    );
    // `version` changes when events were appended to the same array.
  }, [events, filter, version]);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - 5);
  const last = Math.min(shown.length, first + Math.ceil(HEIGHT / ROW) + 10);
  return (
    <div className="events">
      <label>
        Filter events{' '}
        <input
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          placeholder="kind, job or text"
        />
      </label>
      <span className="muted"> {shown.length} events</span>
      <div
        className="event-scroll"
        style={{ height: HEIGHT }}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        tabIndex={0}
        role="list"
        aria-label="Trace events"
      >
        <div style={{ height: shown.length * ROW, position: 'relative' }}>
          {shown.slice(first, last).map(({ seq, event }, index) => (
            <div key={seq} role="listitem" className="event-row" style={{ top: (first + index) * ROW, height: ROW }}>
              <span className="seq">{seq}</span>
              <span className="time">{event.at.slice(11, 23)}</span>
              <span className={`kind kind-${event.kind.replace('.', '-')}`}>{event.kind}</span>
              <span className="job">{event.jobId === undefined ? '' : event.jobId.replace(/^t[^-]*-/, '')}</span>
              <span className="msg">{event.message}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

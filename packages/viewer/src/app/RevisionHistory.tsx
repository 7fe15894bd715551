import { useEffect, useState } from 'react';
import type { ApiClient } from '../data/api.ts';
import { taskHistory, type HistoryEntry } from '../data/followups.ts';

const UNSETTLED = new Set(['queued', 'running', 'awaiting_approval']);

/**
 * A task's revisions as one history: the first task, then each follow-up and revision, each with
 * the commit it added to the branch. Shown only when there is more than the task itself.
 */
export function RevisionHistory({ api, taskId, version }: { api: ApiClient; taskId: string; version: number }) {
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      void taskHistory(api, taskId).then(
        (entries) => {
          if (stop) return;
          setHistory(entries);
          // A task of the chain still to end (a follow-up just queued, this one finishing): read it again.
          if (entries.length > 1 && entries.some((entry) => UNSETTLED.has(entry.status)))
            timer = setTimeout(load, 2000);
        },
        () => undefined,
      );
    load();
    return () => {
      stop = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, taskId, version]);
  if (history.length < 2) return null;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ol className="history" aria-label="revision history">
        {history.map((entry) => (
          <li key={entry.id} aria-current={entry.id === taskId ? 'page' : undefined}>
            <a href={`#/tasks/${encodeURIComponent(entry.id)}`} className="mono">
              {entry.id}
            </a>{' '}
            <span className={`status status-${entry.status}`}>{entry.status}</span>{' '}
            {entry.commit !== null ? (
              <code title={entry.commit}>{entry.commit.slice(0, 10)}</code>
            ) : (
              <span className="muted">no commit</span>
            )}{' '}
            {entry.parent === null ? <span className="muted">first task</span> : null}
            {entry.prompt !== '' && <span className="history-prompt"> {entry.prompt.split('\n')[0]}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

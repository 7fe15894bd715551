import { useState } from 'react';
import type { ApiClient } from '../data/api.ts';
import type { Lane, Mark } from '../data/fold.ts';
import { AnsiText } from './Ansi.tsx';
import { formatCost, formatDuration } from './format.ts';

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** A mark opened: a tool call with its arguments and result, a command with its exit code and output, a model call's usage. */
export function MarkDetails({
  api,
  taskId,
  lane,
  mark,
  onClose,
}: {
  api: ApiClient;
  taskId: string;
  lane: Lane;
  mark: Mark;
  onClose: () => void;
}) {
  const [log, setLog] = useState<string | null>();
  const first = mark.events[0]?.event;
  const last = mark.events[mark.events.length - 1]?.event;
  const data = last?.data ?? {};
  return (
    <aside className="details" aria-label="Selected mark" tabIndex={-1}>
      <div className="details-head">
        <h3>
          {mark.kind} · {lane.label}
        </h3>
        <button type="button" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <p className="mono">{mark.label}</p>
      <dl className="facts">
        <dt>at</dt>
        <dd>{first?.at}</dd>
        <dt>duration</dt>
        <dd>{mark.end === undefined ? 'running' : formatDuration(mark.end - mark.start)}</dd>
        {mark.kind === 'model' && (
          <>
            <dt>tokens</dt>
            <dd>
              {String(data.promptTokens ?? '–')} in · {String(data.completionTokens ?? '–')} out
            </dd>
            <dt>cost</dt>
            <dd>{formatCost(typeof data.costUsd === 'number' ? data.costUsd : undefined)}</dd>
            <dt>tools asked</dt>
            <dd>{Array.isArray(data.tools) ? data.tools.join(', ') : '–'}</dd>
          </>
        )}
        {mark.kind === 'command' && (
          <>
            <dt>exit code</dt>
            <dd className={data.exitCode === 0 ? 'ok' : 'bad'}>{String(data.exitCode ?? 'running')}</dd>
          </>
        )}
      </dl>
      {mark.kind === 'message' && (
        <>
          <h4>from the user, to {String(data.to ?? 'the task')}</h4>
          <pre className="block">{text(data.text ?? '')}</pre>
        </>
      )}
      {mark.kind === 'model' && typeof data.content === 'string' && data.content !== '' && (
        <pre className="block">{data.content}</pre>
      )}
      {mark.kind === 'tool' && (
        <>
          <h4>arguments</h4>
          <pre className="block">{text(first?.data.args ?? {})}</pre>
          {mark.events.length > 1 && (
            <>
              <h4>result {data.ok === false ? '(error)' : ''}</h4>
              <AnsiText text={text(data.excerpt ?? data.error ?? data.result ?? '')} />
            </>
          )}
        </>
      )}
      {mark.kind === 'command' && (
        <>
          {typeof data.stdoutTail === 'string' && data.stdoutTail !== '' && (
            <>
              <h4>stdout (end)</h4>
              <AnsiText text={data.stdoutTail} />
            </>
          )}
          {typeof data.stderrTail === 'string' && data.stderrTail !== '' && (
            <>
              <h4>stderr (end)</h4>
              <AnsiText text={data.stderrTail} />
            </>
          )}
          {log === undefined ? (
            <button type="button" onClick={() => void api.jobLog(taskId, lane.jobId).then(setLog, () => setLog(null))}>
              Full output of this job's commands
            </button>
          ) : log === null ? (
            <p className="muted">No log kept for this job.</p>
          ) : (
            <AnsiText text={log} />
          )}
        </>
      )}
    </aside>
  );
}

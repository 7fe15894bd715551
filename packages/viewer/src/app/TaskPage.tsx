import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../data/api.ts';
import { attachProvenance, parseUnifiedDiff } from '../data/diff.ts';
import { TraceFolder, type Lane, type Mark } from '../data/fold.ts';
import { followEvents } from '../data/sse.ts';
import type { SeqEvent, TaskReport, TaskSummary } from '../data/types.ts';
import { defaultRemote, pullRequestOf } from '../data/delivery.ts';
import { AnsiText } from './Ansi.tsx';
import { DeliveryPanel } from './DeliveryPanel.tsx';
import { ReviewableDiff } from './ReviewableDiff.tsx';
import { RevisionHistory } from './RevisionHistory.tsx';
import { EventList } from './EventList.tsx';
import { MarkDetails } from './MarkDetails.tsx';
import { Candidates, Merges } from './MergesAndCandidates.tsx';
import { Markdown } from './Markdown.tsx';
import { MessageBox } from './MessageBox.tsx';
import { PlanApproval } from './PlanApproval.tsx';
import { PlanGraph } from './PlanGraph.tsx';
import { Swimlanes } from './Swimlanes.tsx';
import { UsageTable } from './UsageTable.tsx';
import { formatCost, formatCount, formatDuration } from './format.ts';

const ENDED = new Set(['approved', 'not_approved', 'failed', 'cancelled', 'budget_exhausted', 'answered']);

/**
 * A task's events folded: those so far in one pass, then each new one from the live stream (which
 * starts after the last one folded). Views re-render at most four times a second however fast events come.
 */
function useTrace(api: ApiClient, id: string) {
  const folder = useRef(new TraceFolder());
  const events = useRef<SeqEvent[]>([]);
  const [version, setVersion] = useState(0);
  const [connection, setConnection] = useState<'loading' | 'open' | 'reconnecting' | 'ended'>('loading');
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      setVersion(folder.current.changes);
    };
    const url = api.url(`/tasks/${encodeURIComponent(id)}/events`);
    const follow = async () => {
      for (const event of await api.eventsSoFar(id).catch(() => [])) {
        if (folder.current.add(event)) events.current.push(event);
      }
      flush();
      if (abort.signal.aborted || folder.current.state.finished) {
        setConnection('ended');
        return;
      }
      await followEvents({
        url,
        fetch: api.fetchUrl,
        lastEventId: folder.current.state.lastSeq,
        signal: abort.signal,
        onStatus: setConnection,
        onEvent: (event) => {
          if (!folder.current.add(event)) return;
          events.current.push(event);
          timer ??= setTimeout(flush, 250);
        },
      });
    };
    void follow();
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, id]);
  return { folded: folder.current.state, events: events.current, version, connection };
}

/** One task: plan, lanes, the opened mark, diff, tests, review, usage and events; live while it runs. */
export function TaskPage({ api, id }: { api: ApiClient; id: string }) {
  const { folded, events, version, connection } = useTrace(api, id);
  const [task, setTask] = useState<TaskSummary>();
  const [report, setReport] = useState<TaskReport | null>(null);
  const [diff, setDiff] = useState<string | null>(null);
  const [selected, setSelected] = useState<{ lane: Lane; mark: Mark }>();
  const [selectedJob, setSelectedJob] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [now, setNow] = useState(Date.now());

  const ended = folded.finished || (task !== undefined && ENDED.has(task.status));
  useEffect(() => {
    // The summary while the task runs; once it ended, until its report is there (it is written last).
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let triesAfterEnd = 0;
    const load = async () => {
      const [summary, rep, patch] = await Promise.all([
        api.task(id).catch(() => undefined),
        api.report(id).catch(() => null),
        api.diff(id).catch(() => null),
      ]);
      if (stop) return;
      if (summary !== undefined) setTask(summary);
      setReport(rep);
      setDiff(patch);
      if (!ended || (rep === null && triesAfterEnd++ < 30)) timer = setTimeout(() => void load(), ended ? 1000 : 3000);
    };
    void load();
    return () => {
      stop = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, id, ended]);
  useEffect(() => {
    if (ended) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ended]);

  const files = useMemo(
    () => (diff === null ? [] : attachProvenance(parseUnifiedDiff(diff), report?.provenance ?? [])),
    [diff, report],
  );
  // The patch as loaded (a link to the API could not carry the token).
  const patchUrl = useMemo(
    () => (diff === null ? undefined : URL.createObjectURL(new Blob([diff], { type: 'text/x-diff' }))),
    [diff],
  );
  useEffect(
    () => () => {
      if (patchUrl !== undefined) URL.revokeObjectURL(patchUrl);
    },
    [patchUrl],
  );
  const comments = useMemo(() => report?.reviews?.at(-1)?.comments ?? [], [report]);
  const onSelectMark = useCallback((lane: Lane, mark: Mark) => setSelected({ lane, mark }), []);
  const showJob = useCallback((jobId: string) => {
    setSelectedJob(jobId);
    document.getElementById(`lane-${jobId}`)?.scrollIntoView({ block: 'center' });
  }, []);

  const status = folded.status ?? task?.status ?? report?.status ?? 'running';
  const branch = report?.result?.branch ?? task?.result?.branch ?? null;
  const name = task?.name ?? report?.name ?? id;
  const plan = folded.plan ?? report?.plan ?? null;
  const review = report?.reviews?.at(-1);
  return (
    <article className="task" aria-labelledby="task-title" data-version={version}>
      <div className="toolbar">
        <h1 id="task-title">{name}</h1>
        <span className={`status status-${status}`}>{status}</span>
        {!folded.finished && <span className="muted">{connection === 'open' ? 'live' : connection}</span>}
        <span className="muted">
          {formatDuration(
            Number.isFinite(folded.start) ? (folded.finished ? folded.end : now) - folded.start : undefined,
          )}{' '}
          · {formatCount(folded.usage.total.promptTokens + folded.usage.total.completionTokens)} tokens ·{' '}
          {formatCost(folded.usage.total.costUsd)}
        </span>
        <span className="spacer" />
        {!ended && (
          <button
            type="button"
            onClick={() =>
              void api.cancel(id).then(
                () => setNotice('Cancel requested.'),
                (e: Error) => setNotice(e.message),
              )
            }
          >
            Cancel
          </button>
        )}
        {diff !== null && (
          <a className="button" href={patchUrl} download={`${name}.patch`}>
            Download patch
          </a>
        )}
        {branch !== null && (
          <button
            type="button"
            title={branch}
            onClick={() =>
              void navigator.clipboard?.writeText(branch).then(
                () => setNotice(`Copied ${branch}`),
                () => setNotice(branch),
              )
            }
          >
            Copy branch
          </button>
        )}
      </div>
      {notice !== undefined && <p role="status">{notice}</p>}
      {report?.prompt !== undefined && <p className="prompt">{report.prompt}</p>}
      <RevisionHistory api={api} taskId={id} version={ended ? 1 : 0} />
      {!ended && <MessageBox api={api} taskId={id} folded={folded} />}
      {ended && (
        <DeliveryPanel
          key={`${id} ${defaultRemote(task)}`}
          api={api}
          taskId={id}
          branch={branch}
          initialRemote={defaultRemote(task)}
          pullRequest={pullRequestOf(report)}
        />
      )}
      {task?.status === 'awaiting_approval' && (
        <PlanApproval
          key={JSON.stringify(plan)}
          api={api}
          task={task}
          plan={plan}
          onDecided={(decided, what) => {
            setTask(decided);
            setNotice(`${what}; the task is ${decided.status}.`);
          }}
        />
      )}

      {plan !== null && (
        <section aria-labelledby="plan-title">
          <h2 id="plan-title">Plan</h2>
          <PlanGraph
            plan={plan}
            states={folded.subtaskStates}
            onSelect={(subtask) => {
              const lane = folded.lanes.find((l) => l.subtaskId === subtask);
              if (lane !== undefined) showJob(lane.jobId);
            }}
          />
        </section>
      )}

      <section aria-labelledby="lanes-title">
        <h2 id="lanes-title">Jobs</h2>
        <div className="lanes-and-details">
          <Swimlanes
            folded={folded}
            now={now}
            selectedJob={selectedJob}
            selectedMark={selected?.mark.id}
            onSelectMark={onSelectMark}
          />
          {selected !== undefined && (
            <MarkDetails
              api={api}
              taskId={id}
              lane={selected.lane}
              mark={selected.mark}
              onClose={() => setSelected(undefined)}
            />
          )}
        </div>
      </section>

      {report?.answer != null && (
        <section aria-labelledby="answer-title">
          <h2 id="answer-title">Answer</h2>
          <Markdown text={report.answer} />
        </section>
      )}

      {(report?.mode !== 'ask' || diff !== null) && (
        <section aria-labelledby="diff-title">
          <h2 id="diff-title">Diff</h2>
          <ReviewableDiff
            api={api}
            taskId={id}
            ended={ended && diff !== null}
            files={files}
            comments={comments}
            onSelectJob={showJob}
          />
        </section>
      )}

      {(report?.tests?.length ?? 0) > 0 && (
        <section aria-labelledby="tests-title">
          <h2 id="tests-title">Tests</h2>
          {report?.tests?.map((run, index) => (
            <details key={index} open={index === (report.tests?.length ?? 0) - 1}>
              <summary>
                round {run.round ?? index}: <code>{run.command}</code> → exit {run.exitCode} ·{' '}
                <span className="ok">{run.passed} passed</span> ·{' '}
                <span className={run.failed > 0 ? 'bad' : ''}>{run.failed} failed</span>
              </summary>
              {run.outputExcerpt !== undefined && <AnsiText text={run.outputExcerpt} />}
            </details>
          ))}
        </section>
      )}

      {review !== undefined && (
        <section aria-labelledby="review-title">
          <h2 id="review-title">Review</h2>
          <p>
            <span className={`status verdict-${review.verdict}`}>{review.verdict}</span> {review.summary}
          </p>
          {review.comments.length > 0 && (
            <ul>
              {review.comments.map((comment, index) => (
                <li key={index}>
                  <code>
                    {comment.path}
                    {comment.line !== undefined ? `:${comment.line}` : ''}
                  </code>{' '}
                  ({comment.severity}) {comment.body}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {report?.selections !== undefined && report.selections.length > 0 && (
        <section aria-labelledby="best-title">
          <h2 id="best-title">Best of N</h2>
          <Candidates selections={report.selections} onSelectJob={showJob} />
        </section>
      )}

      {report?.merges !== undefined && report.merges.length > 0 && (
        <section aria-labelledby="merges-title">
          <h2 id="merges-title">Merges</h2>
          <Merges merges={report.merges} onSelectJob={showJob} />
        </section>
      )}

      <section aria-labelledby="usage-title">
        <h2 id="usage-title">Usage</h2>
        <UsageTable folded={folded} />
      </section>

      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <EventList events={events} version={version} />
      </section>
    </article>
  );
}

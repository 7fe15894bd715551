import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../data/api.ts';
import { followTaskList } from '../data/task-list.ts';
import type { TaskSummary } from '../data/types.ts';
import { SubmitForm } from './SubmitForm.tsx';
import { formatAge, formatCost, formatCount, formatDuration } from './format.ts';

const STATUSES = ['queued', 'running', 'approved', 'not_approved', 'failed', 'cancelled', 'budget_exhausted'];

function duration(task: TaskSummary, now: number): number | undefined {
  if (task.started_at === undefined || task.started_at === null) return undefined;
  const end = task.ended_at === undefined || task.ended_at === null ? now : Date.parse(task.ended_at);
  return end - Date.parse(task.started_at);
}

/**
 * The tasks: listed once, then kept current from the server's stream of task changes
 * (`GET /v1/tasks/events`), newest first.
 */
function useLiveTasks(api: ApiClient): { tasks?: TaskSummary[]; error?: string } {
  const [state, setState] = useState<{ tasks?: TaskSummary[]; error?: string }>({});
  useEffect(() => {
    const abort = new AbortController();
    const byId = new Map<string, TaskSummary>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const publish = () => {
      timer = undefined;
      const tasks = [...byId.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
      setState({ tasks });
    };
    api.listTasks().then(
      (list) => {
        // What the stream already sent is newer than this list.
        for (const task of list) if (!byId.has(task.id)) byId.set(task.id, task);
        if (!abort.signal.aborted) publish();
      },
      (error: Error) => !abort.signal.aborted && setState((old) => ({ ...old, error: error.message })),
    );
    void followTaskList({
      url: api.url('/tasks/events'),
      fetch: api.fetchUrl,
      signal: abort.signal,
      onTask: (task) => {
        byId.set(task.id, task);
        timer ??= setTimeout(publish, 100);
      },
    });
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api]);
  return state;
}

/** Every task, newest first, live; filter by status, search by name; submit a task. */
export function TasksPage({ api }: { api: ApiClient }) {
  const { tasks, error } = useLiveTasks(api);
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [showForm, setShowForm] = useState(false);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const shown = useMemo(
    () =>
      (tasks ?? []).filter(
        (task) =>
          (status === '' || task.status === status) && task.name.toLowerCase().includes(search.trim().toLowerCase()),
      ),
    [tasks, status, search],
  );
  return (
    <section aria-labelledby="tasks-title">
      <div className="toolbar">
        <h1 id="tasks-title">Tasks</h1>
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">all</option>
            {STATUSES.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Search{' '}
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="name" />
        </label>
        <button type="button" onClick={() => setShowForm((open) => !open)} aria-expanded={showForm}>
          New task
        </button>
      </div>
      {showForm && <SubmitForm api={api} />}
      {error !== undefined && (
        <p role="alert" className="error">
          Could not load the tasks: {error}
        </p>
      )}
      <table className="tasks">
        <thead>
          <tr>
            <th>Status</th>
            <th>Name</th>
            <th>Repository</th>
            <th>Age</th>
            <th>Duration</th>
            <th>Subtasks</th>
            <th>Tests</th>
            <th>Tokens</th>
            <th>Cost</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((task) => {
            const subtasks = task.subtasks ?? [];
            const done = subtasks.filter((s) => s.status === 'merged').length;
            const tests = task.result?.tests;
            return (
              <tr key={task.id}>
                <td>
                  <span className={`status status-${task.status}`}>{task.status}</span>
                </td>
                <td>
                  <a href={`#/tasks/${encodeURIComponent(task.id)}`}>{task.name}</a>
                </td>
                <td className="mono">{task.repo ?? task.spec?.repo?.path ?? task.spec?.repo?.url ?? '–'}</td>
                <td>{formatAge(task.created_at, now)}</td>
                <td>{formatDuration(duration(task, now))}</td>
                <td>{subtasks.length === 0 ? '–' : `${done}/${subtasks.length}`}</td>
                <td>{tests === undefined || tests === null ? '–' : `${tests.passed} ✓ ${tests.failed} ✗`}</td>
                <td>{formatCount(task.usage?.tokens)}</td>
                <td>{formatCost(task.usage?.cost_usd)}</td>
              </tr>
            );
          })}
          {tasks !== undefined && shown.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                No tasks{status !== '' || search !== '' ? ' match' : ' yet'}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

import { useState } from 'react';
import { ApiError, fieldProblems, type ApiClient, type FieldProblem } from '../data/api.ts';
import type { Plan } from '@codecrew/core';
import type { TaskSummary } from '../data/types.ts';

/** What went wrong with a decision: the server's field problems, or one message. */
interface Refusal {
  message: string;
  problems: FieldProblem[];
}

function refusalOf(error: unknown): Refusal {
  if (error instanceof ApiError)
    return { message: `${error.code}: ${error.message}`, problems: fieldProblems(error.details) };
  return { message: String(error), problems: [] };
}

/**
 * The decision on a plan awaiting approval: approve it, reject it (the task ends cancelled), or edit it as
 * JSON and approve the edited plan, which the server checks like any plan (its problems are shown by field).
 */
export function PlanApproval({
  api,
  task,
  plan,
  onDecided,
}: {
  api: ApiClient;
  task: TaskSummary;
  plan: Plan | null;
  onDecided: (task: TaskSummary, what: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(() => JSON.stringify(plan ?? {}, null, 2));
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>();
  const decide = async (decision: Parameters<ApiClient['decidePlan']>[1], what: string) => {
    setBusy(true);
    setRefusal(undefined);
    try {
      onDecided(await api.decidePlan(task.id, decision), what);
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setBusy(false);
    }
  };
  const approveEdited = () => {
    let edited: unknown;
    try {
      edited = JSON.parse(text);
    } catch (error) {
      setRefusal({ message: `The plan is not JSON: ${(error as Error).message}`, problems: [] });
      return;
    }
    void decide({ action: 'edit', plan: edited }, 'Edited plan approved');
  };
  const deadline = task.approval?.deadline;
  return (
    <section className="plan-approval" aria-labelledby="approval-title">
      <h2 id="approval-title">The plan awaits approval</h2>
      <p className="muted">
        Nothing runs until it is decided.
        {deadline
          ? ` At ${new Date(deadline).toLocaleString()} it is ${task.approval?.on_timeout === 'approve' ? 'approved' : 'cancelled'} by itself.`
          : ''}
      </p>
      <div className="approval-actions">
        <button type="button" disabled={busy} onClick={() => void decide({ action: 'approve' }, 'Plan approved')}>
          Approve plan
        </button>
        <button type="button" disabled={busy} onClick={() => void decide({ action: 'reject' }, 'Plan rejected')}>
          Reject plan
        </button>
        <button type="button" disabled={busy} aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {editing ? 'Close the editor' : 'Edit plan'}
        </button>
      </div>
      {editing && (
        <div className="approval-editor">
          <label htmlFor="plan-text">
            Plan (JSON: summary, subtasks with id, title, description, files, depends_on)
          </label>
          <textarea
            id="plan-text"
            rows={16}
            spellCheck={false}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="button" disabled={busy} onClick={approveEdited}>
            Approve edited plan
          </button>
        </div>
      )}
      {refusal !== undefined && (
        <div role="alert" className="error">
          <p>{refusal.message}</p>
          {refusal.problems.length > 0 && (
            <ul>
              {refusal.problems.map((problem) => (
                <li key={`${problem.path}:${problem.message}`}>
                  <code>{problem.path}</code>: {problem.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

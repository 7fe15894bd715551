import { useState } from 'react';
import { ApiError, fieldProblems, type ApiClient } from '../data/api.ts';
import type { Folded } from '../data/fold.ts';

/** The targets a message can go to now: the task, each subtask of the plan, each running lane. */
export function messageTargets(folded: Folded): Array<{ value: string; label: string }> {
  const targets = [{ value: 'task', label: 'Task (the planner while it plans, else every coder)' }];
  for (const subtask of folded.plan?.subtasks ?? []) {
    targets.push({ value: subtask.id, label: `Subtask ${subtask.id}: ${subtask.title}` });
  }
  for (const lane of folded.lanes) {
    if (lane.status === 'running') targets.push({ value: lane.jobId, label: `Job ${lane.label} (${lane.jobId})` });
  }
  return targets;
}

/**
 * A message from the user to the agents of the running task: the text and whom it is for. Each agent
 * it is for reads it before its next model call; the trace shows it and each agent it reached.
 */
export function MessageBox({ api, taskId, folded }: { api: ApiClient; taskId: string; folded: Folded }) {
  const [text, setText] = useState('');
  const [to, setTo] = useState('task');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const targets = messageTargets(folded);
  const chosen = targets.some((target) => target.value === to) ? to : 'task';
  const send = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const sent = await api.say(taskId, text.trim(), chosen);
      setText('');
      const reach =
        sent.running.length === 0
          ? 'no agent it is for runs now; those that start later will read it'
          : `read before the next model call of ${sent.running.join(', ')}`;
      setOutcome({ ok: true, text: `Sent to ${sent.to}: ${reach}.` });
    } catch (error) {
      const problems = error instanceof ApiError ? fieldProblems(error.details) : [];
      const why = problems.length > 0 ? problems.map((p) => `${p.path}: ${p.message}`).join('; ') : String(error);
      setOutcome({ ok: false, text: error instanceof ApiError ? `${error.code}: ${why}` : why });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="message-box"
      aria-label="Message the agents"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim() !== '') void send();
      }}
    >
      <label htmlFor="message-text">Tell the agents</label>
      <textarea
        id="message-text"
        rows={2}
        value={text}
        placeholder="e.g. keep the public API unchanged"
        onChange={(event) => setText(event.target.value)}
      />
      <label htmlFor="message-to">To</label>
      <select id="message-to" value={chosen} onChange={(event) => setTo(event.target.value)}>
        {targets.map((target) => (
          <option key={target.value} value={target.value}>
            {target.label}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy || text.trim() === ''}>
        {busy ? 'Sending…' : 'Send'}
      </button>
      {outcome !== undefined && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'muted' : 'error'}>
          {outcome.text}
        </p>
      )}
    </form>
  );
}

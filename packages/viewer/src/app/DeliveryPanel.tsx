import { useEffect, useState } from 'react';
import type { ApiClient } from '../data/api.ts';
import {
  describeError,
  listWebhookDeliveries,
  pushTask,
  sendFollowup,
  type PullRequestRecord,
  type PushResult,
  type WebhookDelivery,
} from '../data/delivery.ts';
import { WebhookTable } from './WebhookTable.tsx';

/** Push the result branch to a remote: the remote field, the button, and how the last push went. */
export function PushForm({
  api,
  taskId,
  branch,
  initialRemote,
}: {
  api: ApiClient;
  taskId: string;
  branch: string;
  initialRemote: string;
}) {
  const [remote, setRemote] = useState(initialRemote);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ pushed: PushResult } | { failed: string }>();
  const push = async () => {
    setBusy(true);
    try {
      setOutcome({ pushed: await pushTask(api, taskId, remote.trim()) });
    } catch (error) {
      setOutcome({ failed: describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="delivery-form"
      aria-label="Push the result branch"
      onSubmit={(event) => {
        event.preventDefault();
        if (!busy && remote.trim() !== '') void push();
      }}
    >
      <label htmlFor="push-remote">Remote</label>
      <input
        id="push-remote"
        value={remote}
        spellCheck={false}
        placeholder="origin, or a git URL"
        onChange={(event) => setRemote(event.target.value)}
      />
      <button type="submit" disabled={busy || remote.trim() === ''}>
        {busy ? 'Pushing…' : 'Push'}
      </button>
      <p className="muted">
        Pushes <code>{branch}</code>, never forced.
      </p>
      {outcome !== undefined &&
        ('pushed' in outcome ? (
          <p role="status" className="push-outcome">
            Pushed <code>{outcome.pushed.branch}</code> at <code>{outcome.pushed.commit.slice(0, 10)}</code> to{' '}
            <code>{outcome.pushed.remote}</code>.
          </p>
        ) : (
          <div role="alert" className="push-outcome error">
            <p>The push failed:</p>
            <pre>{outcome.failed}</pre>
          </div>
        ))}
    </form>
  );
}

/** The pull request the task opened or updated when it ended, or why it could not. */
export function PullRequestLine({ pullRequest }: { pullRequest: PullRequestRecord }) {
  if (pullRequest.number === null || pullRequest.url === null) {
    return (
      <p className="error">
        No pull request on {pullRequest.github}: {pullRequest.error?.message ?? 'it was not opened'}
      </p>
    );
  }
  return (
    <p>
      Pull request{' '}
      <a href={pullRequest.url} target="_blank" rel="noreferrer">
        #{pullRequest.number}
      </a>{' '}
      on {pullRequest.github}
      {pullRequest.action !== null ? ` (${pullRequest.action})` : ''}
    </p>
  );
}

/** A prompt for a follow-up of the ended task; once queued, the page opens the new task. */
export function FollowupForm({ api, taskId }: { api: ApiClient; taskId: string }) {
  const [prompt, setPrompt] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const send = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const created = await sendFollowup(api, taskId, prompt.trim());
      window.location.hash = `#/tasks/${encodeURIComponent(created.id)}`;
    } catch (error) {
      setFailure(describeError(error));
      setBusy(false);
    }
  };
  return (
    <form
      className="delivery-form"
      aria-label="Follow up the task"
      onSubmit={(event) => {
        event.preventDefault();
        if (!busy && prompt.trim() !== '') void send();
      }}
    >
      <label htmlFor="followup-prompt">Follow-up prompt</label>
      <textarea
        id="followup-prompt"
        rows={3}
        value={prompt}
        placeholder="What to do next on the same branch"
        onChange={(event) => setPrompt(event.target.value)}
      />
      <button type="submit" disabled={busy || prompt.trim() === ''}>
        {busy ? 'Sending…' : 'Send follow-up'}
      </button>
      {failure !== undefined && (
        <p role="alert" className="error">
          {failure}
        </p>
      )}
    </form>
  );
}

/**
 * The task's webhook deliveries, read again every two seconds while one is still pending; undefined
 * until read, null where the API has no delivery routes.
 */
function useWebhookDeliveries(api: ApiClient, taskId: string): WebhookDelivery[] | null | undefined {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>();
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A task that has just ended may not have its deliveries queued yet: a few more reads while none.
    let emptyReads = 0;
    const load = async () => {
      const listed = await listWebhookDeliveries(api, taskId);
      if (stop) return;
      setDeliveries(listed);
      const pending = listed?.some((delivery) => delivery.status === 'pending') === true;
      if (pending || (listed?.length === 0 && ++emptyReads < 3)) timer = setTimeout(() => void load(), 2000);
    };
    void load();
    return () => {
      stop = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, taskId]);
  return deliveries;
}

/**
 * Delivering an ended task's result: push its branch, its pull request, the webhooks sent about it,
 * and a follow-up prompt. Push and follow-up need the result branch; the others show when there are any.
 * Nothing shows where the API cannot list the task's webhook deliveries (the read-only `codecrew view`).
 */
export function DeliveryPanel({
  api,
  taskId,
  branch,
  initialRemote,
  pullRequest,
}: {
  api: ApiClient;
  taskId: string;
  branch: string | null;
  initialRemote: string;
  pullRequest: PullRequestRecord | null;
}) {
  const deliveries = useWebhookDeliveries(api, taskId);
  // Until the deliveries are read, and where the API offers no delivery (codecrew view): nothing.
  if (deliveries === undefined || deliveries === null) return null;
  if (branch === null && pullRequest === null && deliveries.length === 0) return null;
  return (
    <section className="delivery" aria-labelledby="deliver-title">
      <h2 id="deliver-title">Deliver</h2>
      {branch !== null && <PushForm api={api} taskId={taskId} branch={branch} initialRemote={initialRemote} />}
      {pullRequest !== null && <PullRequestLine pullRequest={pullRequest} />}
      {deliveries.length > 0 && <WebhookTable deliveries={deliveries} />}
      {branch !== null && <FollowupForm api={api} taskId={taskId} />}
    </section>
  );
}

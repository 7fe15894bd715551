import { useCallback, useEffect, useState } from 'react';
import type { ReviewComment } from '@codecrew/core';
import { ApiError, fieldProblems, type ApiClient } from '../data/api.ts';
import type { DiffFile } from '../data/diff.ts';
import { addComment, listComments, revise, type UserComment } from '../data/followups.ts';
import { DiffView } from './DiffView.tsx';

/**
 * The diff with the user's own review: once the task has ended (and when the API keeps comments:
 * `codecrew serve`, not the single-task `codecrew view`), a comment can be added on any
 * line of a hunk; Revise sends the comments not yet revised to the subtasks that wrote those
 * lines, as a new task committed on the same branch, and opens it.
 */
export function ReviewableDiff({
  api,
  taskId,
  ended,
  files,
  comments,
  onSelectJob,
}: {
  api: ApiClient;
  taskId: string;
  ended: boolean;
  files: DiffFile[];
  comments: ReviewComment[];
  onSelectJob: (jobId: string) => void;
}) {
  const [userComments, setUserComments] = useState<UserComment[]>([]);
  /** Whether the API keeps comments for this task (not in the single-task `codecrew view`). */
  const [commentable, setCommentable] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let stop = false;
    if (ended) {
      void listComments(api, taskId).then((list) => {
        if (stop) return;
        setCommentable(list !== null);
        setUserComments(list ?? []);
      });
    }
    return () => {
      stop = true;
    };
  }, [api, taskId, ended]);

  const onComment = useCallback(
    async (path: string, line: number, body: string) => {
      setOutcome(undefined);
      try {
        const added = await addComment(api, taskId, { path, line, body });
        setUserComments((list) => [...list, ...added]);
        return true;
      } catch (error) {
        const problems = error instanceof ApiError ? fieldProblems(error.details) : [];
        const why = problems.length > 0 ? problems.map((p) => p.message).join('; ') : (error as Error).message;
        setOutcome({ ok: false, text: `Comment not added: ${why}` });
        return false;
      }
    },
    [api, taskId],
  );

  const pending = userComments.filter((comment) => comment.revision === null);
  const onRevise = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const revision = await revise(api, taskId);
      const routes = revision.routes.map((route) => `comment ${route.comment} → ${route.subtask}`).join(', ');
      setOutcome({ ok: true, text: `Revision ${revision.id} queued on ${revision.branch}: ${routes}.` });
      setUserComments((list) =>
        list.map((comment) => (comment.revision === null ? { ...comment, revision: revision.id } : comment)),
      );
      window.location.hash = `#/tasks/${encodeURIComponent(revision.id)}`;
    } catch (error) {
      setOutcome({ ok: false, text: `Revise failed: ${(error as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <DiffView
        files={files}
        comments={comments}
        onSelectJob={onSelectJob}
        userComments={userComments}
        {...(ended && commentable ? { onComment } : {})}
      />
      {ended && commentable && (
        <div className="revise">
          <span className="muted">
            {pending.length === 0
              ? 'Comment on a line of the diff to ask for changes.'
              : `${pending.length} comment(s) waiting for a revision.`}
          </span>
          <button type="button" disabled={busy || pending.length === 0} onClick={() => void onRevise()}>
            Revise
          </button>
        </div>
      )}
      {outcome !== undefined && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'ok' : 'bad'}>
          {outcome.text}
        </p>
      )}
    </>
  );
}

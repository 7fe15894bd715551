import { memo, useState } from 'react';
import type { ReviewComment } from '@codecrew/core';
import type { DiffFile, DiffLine } from '../data/diff.ts';
import type { UserComment } from '../data/followups.ts';
import { provenanceLabel } from '../data/diff.ts';
import { highlightLine, languageOf } from '../data/highlight.ts';

function Code({ line, language }: { line: DiffLine; language: ReturnType<typeof languageOf> }) {
  return (
    <>
      {highlightLine(line.text, language).map((token, index) => (
        <span key={index} className={`tok-${token.kind}`}>
          {token.text}
        </span>
      ))}
    </>
  );
}

/** Adds a user's comment on a line; resolves to whether the server kept it. */
export type OnComment = (path: string, line: number, body: string) => Promise<boolean>;

const FileDiff = memo(function FileDiff({
  file,
  comments,
  onSelectJob,
  userComments,
  onComment,
}: {
  file: DiffFile;
  comments: ReviewComment[];
  onSelectJob: (jobId: string) => void;
  userComments: UserComment[];
  onComment: OnComment | undefined;
}) {
  const language = languageOf(file.path);
  const lineComments = (line: DiffLine) =>
    line.newLine === undefined ? [] : comments.filter((comment) => comment.line === line.newLine);
  const lineUserComments = (line: DiffLine) =>
    line.newLine === undefined || line.kind === 'del' || line.kind === 'note'
      ? []
      : userComments.filter((comment) => comment.line === line.newLine);
  const fileComments = comments.filter((comment) => comment.line === undefined);
  return (
    <section className="file" aria-label={`diff of ${file.path}`}>
      <h3 className="file-head mono">
        {file.path}
        {file.newFile && <span className="badge">new</span>}
        {file.deleted && <span className="badge">deleted</span>}
      </h3>
      {fileComments.map((comment, index) => (
        <div key={index} className={`comment sev-${comment.severity}`} role="note">
          <strong>{comment.severity}</strong> {comment.body}
        </div>
      ))}
      {file.hunks.map((hunk, h) => (
        <div key={h} className="hunk">
          <div className="hunk-head">
            <span className="mono">{hunk.header}</span>
            <span className="provenance">
              written by{' '}
              {hunk.origin === undefined || hunk.origin.jobs.length === 0 ? (
                provenanceLabel(hunk.origin)
              ) : (
                <>
                  {hunk.origin.jobs.map((jobId) => (
                    <button
                      type="button"
                      key={jobId}
                      className="link"
                      onClick={() => onSelectJob(jobId)}
                      title={`show ${jobId}'s lane`}
                    >
                      {provenanceLabel({ ...hunk.origin!, jobs: [jobId] })}
                    </button>
                  ))}
                </>
              )}
            </span>
          </div>
          <table className="code">
            <tbody>
              {hunk.lines.map((line, l) => (
                <FragmentRow
                  key={l}
                  path={file.path}
                  line={line}
                  language={language}
                  comments={lineComments(line)}
                  userComments={lineUserComments(line)}
                  onComment={onComment}
                />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
});

/** The form of a new comment on one line. */
function CommentForm({
  where,
  onSubmit,
  onClose,
}: {
  where: string;
  onSubmit: (body: string) => Promise<boolean>;
  onClose: () => void;
}) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="comment-form"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void onSubmit(body.trim()).then((kept) => {
          setBusy(false);
          if (kept) onClose();
        });
      }}
    >
      <textarea
        aria-label={`comment on ${where}`}
        value={body}
        rows={3}
        onChange={(event) => setBody(event.target.value)}
      />
      <button type="submit" disabled={busy || body.trim() === ''}>
        Add comment
      </button>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </form>
  );
}

function FragmentRow({
  path,
  line,
  language,
  comments,
  userComments,
  onComment,
}: {
  path: string;
  line: DiffLine;
  language: ReturnType<typeof languageOf>;
  comments: ReviewComment[];
  userComments: UserComment[];
  onComment: OnComment | undefined;
}) {
  const [writing, setWriting] = useState(false);
  const sign = line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : ' ';
  const newLine = line.kind === 'del' || line.kind === 'note' ? undefined : line.newLine;
  const where = `${path}:${newLine ?? ''}`;
  return (
    <>
      <tr className={`line line-${line.kind}`}>
        <td className="num">{line.oldLine ?? ''}</td>
        <td className="num">
          {onComment !== undefined && newLine !== undefined && (
            <button
              type="button"
              className="add-comment"
              aria-label={`comment on ${where}`}
              title={`comment on ${where}`}
              onClick={() => setWriting(true)}
            >
              +
            </button>
          )}
          {line.newLine ?? ''}
        </td>
        <td className="text">
          <span className="sign">{sign}</span>
          {line.kind === 'note' ? line.text : <Code line={line} language={language} />}
        </td>
      </tr>
      {comments.map((comment, index) => (
        <tr key={`c${index}`} className="comment-row">
          <td colSpan={3}>
            <div className={`comment sev-${comment.severity}`} role="note">
              <strong>review · {comment.severity}</strong> {comment.body}
            </div>
          </td>
        </tr>
      ))}
      {userComments.map((comment) => (
        <tr key={`u${comment.id}`} className="comment-row">
          <td colSpan={3}>
            <div className="comment user" role="note" aria-label={`your comment on ${where}`}>
              <strong>you{comment.revision === null ? '' : ` · sent to ${comment.revision}`}</strong> {comment.body}
            </div>
          </td>
        </tr>
      ))}
      {writing && onComment !== undefined && newLine !== undefined && (
        <tr className="comment-row">
          <td colSpan={3}>
            <CommentForm
              where={where}
              onSubmit={(body) => onComment(path, newLine, body)}
              onClose={() => setWriting(false)}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/** The diff, file by file, highlighted, each hunk labelled with who wrote it, review and user comments at their lines. */
export function DiffView({
  files,
  comments,
  onSelectJob,
  userComments = [],
  onComment,
}: {
  files: DiffFile[];
  comments: ReviewComment[];
  onSelectJob: (jobId: string) => void;
  /** The user's own comments, shown at their lines. */
  userComments?: UserComment[];
  /** Given when the user may comment on lines: each line of a hunk gets a button for it. */
  onComment?: OnComment;
}) {
  if (files.length === 0) return <p className="muted">No diff yet.</p>;
  return (
    <div className="diff">
      {files.map((file) => (
        <FileDiff
          key={file.path}
          file={file}
          comments={comments.filter((c) => c.path === file.path)}
          onSelectJob={onSelectJob}
          userComments={userComments.filter((c) => c.path === file.path)}
          onComment={onComment}
        />
      ))}
    </div>
  );
}

import { memo } from 'react';
import type { ReviewComment } from '@codecrew/core';
import type { DiffFile, DiffLine } from '../data/diff.ts';
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

const FileDiff = memo(function FileDiff({
  file,
  comments,
  onSelectJob,
}: {
  file: DiffFile;
  comments: ReviewComment[];
  onSelectJob: (jobId: string) => void;
}) {
  const language = languageOf(file.path);
  const lineComments = (line: DiffLine) =>
    line.newLine === undefined ? [] : comments.filter((comment) => comment.line === line.newLine);
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
                <FragmentRow key={l} line={line} language={language} comments={lineComments(line)} />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
});

function FragmentRow({
  line,
  language,
  comments,
}: {
  line: DiffLine;
  language: ReturnType<typeof languageOf>;
  comments: ReviewComment[];
}) {
  const sign = line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : ' ';
  return (
    <>
      <tr className={`line line-${line.kind}`}>
        <td className="num">{line.oldLine ?? ''}</td>
        <td className="num">{line.newLine ?? ''}</td>
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
    </>
  );
}

/** The diff, file by file, highlighted, each hunk labelled with who wrote it and review comments at their lines. */
export function DiffView({
  files,
  comments,
  onSelectJob,
}: {
  files: DiffFile[];
  comments: ReviewComment[];
  onSelectJob: (jobId: string) => void;
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
        />
      ))}
    </div>
  );
}

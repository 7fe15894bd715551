import { useState } from 'react';
import { ApiError, fieldProblems, type ApiClient, type FieldProblem } from '../data/api.ts';

const EXAMPLE = `apiVersion: codecrew/v1
kind: Task
metadata: { name: my-task }
spec:
  repo: { path: /path/to/repo }
  prompt: Describe the change.
`;

/** A task file pasted as YAML, posted to the server; its problems are shown at their lines and fields. */
export function SubmitForm({ api }: { api: ApiClient }) {
  const [yaml, setYaml] = useState(EXAMPLE);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setProblems([]);
    setMessage(undefined);
    try {
      const { id } = await api.submit(yaml);
      window.location.hash = `#/tasks/${encodeURIComponent(id)}`;
    } catch (error) {
      if (error instanceof ApiError) {
        setMessage(`${error.code}: ${error.message}`);
        setProblems(fieldProblems(error.details));
      } else setMessage(String(error));
    } finally {
      setBusy(false);
    }
  };
  const lines = yaml.split('\n');
  const problemsAt = (line: number) => problems.filter((problem) => problem.line === line);
  return (
    <form
      className="submit"
      aria-label="Submit a task"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="task-yaml">Task file (YAML)</label>
      <textarea
        id="task-yaml"
        rows={Math.max(8, lines.length + 1)}
        value={yaml}
        spellCheck={false}
        onChange={(event) => setYaml(event.target.value)}
        aria-invalid={problems.length > 0}
        aria-describedby="task-problems"
      />
      {problems.some((problem) => problem.line !== undefined) && (
        <pre className="yaml-marked" aria-hidden="true">
          {lines.map((text, index) => (
            <div key={index} className={problemsAt(index + 1).length > 0 ? 'bad-line' : undefined}>
              <span className="gutter">{index + 1}</span>
              {text}
              {problemsAt(index + 1).map((problem, i) => (
                <span key={i} className="problem-inline">
                  {' '}
                  ← {problem.path}: {problem.message}
                </span>
              ))}
            </div>
          ))}
        </pre>
      )}
      <div id="task-problems" role="alert">
        {message !== undefined && <p className="error">{message}</p>}
        {problems.length > 0 && (
          <ul className="problems">
            {problems.map((problem, index) => (
              <li key={index}>
                <code>{problem.path || '(file)'}</code>
                {problem.line !== undefined && ` (line ${problem.line}:${problem.column ?? 1})`}: {problem.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Submitting…' : 'Submit'}
      </button>
    </form>
  );
}

/**
 * Two subtasks writing a file each; a follow-up's planner answers only when its prompt carries the
 * first task's plan; a revision's coder (told the user's comment) rewrites its line with a shell
 * command whose output keeps its rule answering.
 */
export const FOLLOWUP_SCRIPT = `version: 1
rules:
  - match: { agent: planner, last_message: "follows up task[\\\\s\\\\S]*Plan: two files[\\\\s\\\\S]*Also write more.txt" }
    replies:
      - tool_calls:
          - name: submit_plan
            args:
              summary: one more file
              subtasks:
                - { id: more, title: Write more.txt, description: Write more.txt, files: [more.txt], depends_on: [] }
  - match: { agent: planner }
    replies:
      - tool_calls:
          - name: submit_plan
            args:
              summary: two files
              subtasks:
                - { id: alpha, title: Write alpha.txt, description: Write alpha.txt, files: [alpha.txt], depends_on: [] }
                - { id: beta, title: Write beta.txt, description: Write beta.txt, files: [beta.txt], depends_on: [] }
  - match: { agent: coder, subtask: alpha, last_message: "The user reviewed the change|REVISING" }
    replies:
      - tool_calls: [{ name: shell, args: { command: "echo REVISING && printf 'alpha 1\\\\nalpha 2, as the user asked\\\\nalpha 3\\\\n' > alpha.txt" } }]
      - tool_calls: [{ name: finish, args: { summary: rewrote line 2 as commented } }]
  - match: { agent: coder, subtask: alpha }
    replies:
      - tool_calls: [{ name: write_file, args: { path: alpha.txt, content: "alpha 1\\nalpha 2\\nalpha 3\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote alpha.txt } }]
  - match: { agent: coder, subtask: beta }
    replies:
      - tool_calls: [{ name: write_file, args: { path: beta.txt, content: "beta 1\\nbeta 2\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote beta.txt } }]
  - match: { agent: coder, subtask: more }
    replies:
      - tool_calls: [{ name: write_file, args: { path: more.txt, content: "more\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote more.txt } }]
  - match: { agent: reviewer }
    replies:
      - tool_calls: [{ name: submit_review, args: { verdict: approve, summary: fine, comments: [] } }]
`;

/** A task file for {@link FOLLOWUP_SCRIPT} on `repo`. */
export function followupTask(name: string, repo: string): string {
  return [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    '  prompt: Write alpha.txt and beta.txt.',
    '  parallelism: 2',
    '  test: { command: node --test test/words.test.js }',
    '  review: { maxRounds: 1 }',
    '',
  ].join('\n');
}

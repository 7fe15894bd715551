/** The tasks of the serve benchmark: the crew benchmark's two independent subtasks, as files `codecrew serve` takes. */

/** The test command every task runs (the textkit example's own tests). */
export const SERVE_TEST_COMMAND = 'node --test test/words.test.js';

/**
 * A model script (YAML) for tasks of two independent subtasks: the planner plans s1 and s2, each coder
 * writes its file and finishes (two calls), the reviewer approves; every reply comes after `latencyMs`.
 */
export function serveScript(latencyMs: number): string {
  const coder = (id: string) =>
    [
      `  - match: { agent: coder, subtask: ${id} }`,
      '    replies:',
      `      - tool_calls: [{ name: write_file, args: { path: src/${id}.js, content: "export const ${id} = '${id}';\\n" } }]`,
      `      - tool_calls: [{ name: finish, args: { summary: added ${id} } }]`,
    ].join('\n');
  return [
    'version: 1',
    `latency_ms: ${latencyMs}`,
    'rules:',
    '  - match: { agent: planner }',
    '    replies:',
    '      - tool_calls:',
    '          - name: submit_plan',
    '            args:',
    '              summary: two independent subtasks',
    '              subtasks:',
    '                - { id: s1, title: s1, description: add src/s1.js, files: [src/s1.js], depends_on: [] }',
    '                - { id: s2, title: s2, description: add src/s2.js, files: [src/s2.js], depends_on: [] }',
    coder('s1'),
    coder('s2'),
    '  - match: { agent: reviewer }',
    '    replies:',
    '      - tool_calls: [{ name: submit_review, args: { verdict: approve, summary: ok, comments: [] } }]',
    '',
  ].join('\n');
}

/** A task file (YAML) named `name` on the repository at `repo`: two coders at once, the tests, no review rounds. */
export function serveTaskYaml(name: string, repo: string): string {
  return [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    '  prompt: add two files',
    '  parallelism: 2',
    `  test: { command: ${JSON.stringify(SERVE_TEST_COMMAND)} }`,
    '  review: { maxRounds: 0 }',
    '',
  ].join('\n');
}

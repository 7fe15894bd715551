import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXTKIT, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';
import { api, eventsSoFar, startServe, submitYaml, waitForStatus, type ServeProcess } from '../support/serve.ts';
import { until } from '../support/worker-process.ts';

/**
 * Two independent subtasks. The coder of s1 writes "plain" after a long first model reply, then finishes;
 * a message from the user in its conversation makes it write "steered" instead. The coder of s2 writes
 * "two"; the same message in its conversation would make it write "WRONG".
 */
const STEER_SCRIPT = `version: 1
rules:
  - match: { agent: planner }
    replies:
      - tool_calls:
          - name: submit_plan
            args:
              summary: two files
              subtasks:
                - { id: s1, title: Write one.txt, description: Write one.txt, files: [one.txt], depends_on: [] }
                - { id: s2, title: Write two.txt, description: Write two.txt, files: [two.txt], depends_on: [] }
  - match: { agent: coder, subtask: s1, last_message: "Message from the user[\\\\s\\\\S]*STEER-ONE" }
    replies:
      - tool_calls:
          - { name: write_file, args: { path: one.txt, content: "steered\\n" } }
          - { name: finish, args: { summary: wrote one.txt as the user asked } }
  - match: { agent: coder, subtask: s2, last_message: "Message from the user" }
    replies:
      - tool_calls:
          - { name: write_file, args: { path: two.txt, content: "WRONG\\n" } }
          - { name: finish, args: { summary: s2 read a message meant for s1 } }
  - match: { agent: coder, subtask: s1 }
    replies:
      - latency_ms: 60000
        tool_calls: [{ name: write_file, args: { path: one.txt, content: "plain\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote one.txt } }]
  - match: { agent: coder, subtask: s2 }
    replies:
      - tool_calls: [{ name: write_file, args: { path: two.txt, content: "two\\n" } }]
      - tool_calls: [{ name: finish, args: { summary: wrote two.txt } }]
  - match: { agent: reviewer }
    replies:
      - tool_calls: [{ name: submit_review, args: { verdict: approve, summary: fine, comments: [] } }]
`;

const steerTask = (repo: string) =>
  [
    'apiVersion: codecrew/v1',
    'kind: Task',
    'metadata: { name: steer }',
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    '  prompt: Write one.txt and two.txt.',
    '  parallelism: 2',
    '  test: { command: node --test test/words.test.js }',
    '  review: { maxRounds: 1 }',
    '',
  ].join('\n');

let dir = '';
let repo = '';
let serve: ServeProcess;
beforeAll(async () => {
  dir = await tempDirFor('steer crew');
  repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  await writeFile(join(dir, 'steer.script.yaml'), STEER_SCRIPT);
  serve = await startServe(['--model', `scripted:${join(dir, 'steer.script.yaml')}`, '--data-dir', join(dir, 'data')], {
    cwd: dir,
  });
}, 180_000);
afterAll(async () => {
  await serve?.stop();
});

describe('steering a running crew', () => {
  it('a message to one subtask changes what its coder does, and not what the other does', async () => {
    const created = await submitYaml(serve.url, steerTask(repo));
    expect(created.status).toBe(201);
    const id = String(created.body['id']);

    // s1's coder is in its first, slow model call: the message reaches it before the second.
    const s1Started = async () =>
      (await eventsSoFar(serve.url, id)).some(
        (event) => event.kind === 'job.started' && event.role === 'coder' && event.subtaskId === 's1',
      );
    expect(await until(s1Started, 180_000)).toBe(true);
    const said = await runCli(['say', id, '--to', 's1', 'Write steered in one.txt: STEER-ONE'], {
      env: { CODECREW_SERVER: serve.url },
    });
    expect(said.code, said.stderr).toBe(0);
    expect(said.stdout).toMatch(
      new RegExp(`^msg_\\w+ sent to s1: read before the next model call of ${id}-code-s1-\\S+\\n$`),
    );

    const task = await waitForStatus(serve.url, id, ['approved', 'not_approved', 'failed'], 300_000);
    expect(task.status).toBe('approved');

    const diff = await fetch(`${serve.url}/v1/tasks/${id}/diff`).then((response) => response.text());
    expect(diff).toContain('+steered');
    expect(diff).toContain('+two');
    expect(diff).not.toContain('+plain');
    expect(diff).not.toContain('WRONG');

    const events = await eventsSoFar(serve.url, id);
    const sent = events.filter((event) => event.kind === 'user.message');
    expect(sent.map((event) => [event.data['to'], event.data['target'], event.data['text']])).toEqual([
      ['s1', 'subtask', 'Write steered in one.txt: STEER-ONE'],
    ]);
    const delivered = events.filter((event) => event.kind === 'user.message.delivered');
    expect(delivered.map((event) => [event.role, event.subtaskId, event.data['messageId']])).toEqual([
      ['coder', 's1', sent[0]?.data['messageId']],
    ]);
    // The trace has the message before its delivery.
    expect((sent[0]?.seq ?? Infinity) < (delivered[0]?.seq ?? -Infinity)).toBe(true);

    const ended = await api(serve.url, `/v1/tasks/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'too late' }),
    });
    expect([ended.status, (ended.body['error'] as Record<string, unknown>)['code']]).toEqual([409, 'TASK_ENDED']);
  }, 420_000);
});

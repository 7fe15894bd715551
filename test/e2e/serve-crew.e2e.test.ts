import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskView } from '@codecrew/server';
import { TEXTKIT, containersOfTask, git, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';
import {
  NOTE_SCRIPT,
  api,
  eventsSoFar,
  noteTask,
  readSse,
  startServe,
  submitYaml,
  type ServeProcess,
} from '../support/serve.ts';
import { sandboxesWhere, until } from '../support/worker-process.ts';

let dir = '';
let repo = '';
let serve: ServeProcess;
beforeAll(async () => {
  dir = await tempDirFor('serve crew');
  repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  await writeFile(join(dir, 'note.script.yaml'), NOTE_SCRIPT);
  serve = await startServe(
    ['--max-tasks', '2', '--model', `scripted:${join(dir, 'note.script.yaml')}`, '--data-dir', join(dir, 'data')],
    {
      cwd: dir,
    },
  );
});
afterAll(async () => {
  await serve?.stop();
});

describe('codecrew serve with its worker', () => {
  let id = '';
  it('runs a submitted task to approved and hands back its diff, reports and job logs', async () => {
    const base = git(repo, 'rev-parse', 'HEAD');
    const created = await submitYaml(serve.url, noteTask('single', repo));
    expect(created.status).toBe(201);
    id = (created.body as { id: string }).id;
    const stream = await readSse(serve.url, id);
    expect(stream.end?.status).toBe('approved');
    const task = TaskView.parse((await api(serve.url, `/v1/tasks/${id}`)).body);
    expect(task).toMatchObject({
      status: 'approved',
      subtasks: [{ id: 'note', title: 'Write a note', status: 'merged', attempts: 1 }],
      result: { status: 'approved', branch: 'codecrew/single', files_changed: 1, review: { verdict: 'approve' } },
    });
    expect(task.plan?.summary).toBe('one note');
    expect(task.usage.model_calls).toBe(4);
    expect(task.result?.tests?.failed).toBe(0);

    const diff = await fetch(`${serve.url}/v1/tasks/${id}/diff`);
    expect(diff.headers.get('content-type')).toMatch(/^text\/x-diff/);
    const patch = await diff.text();
    expect(patch).toContain('+++ b/notes.txt');
    expect(patch).toBe(`${git(repo, 'diff', '--no-color', base, 'codecrew/single')}\n`);
    expect(git(repo, 'rev-parse', 'codecrew/single^')).toBe(base);

    const report = await api<{ status: string; taskId: string }>(serve.url, `/v1/tasks/${id}/report`);
    expect(report.body).toMatchObject({ status: 'approved', taskId: id });
    const markdown = await fetch(`${serve.url}/v1/tasks/${id}/report.md`);
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(await markdown.text()).toContain('approved');
    const log = await (await fetch(`${serve.url}/v1/tasks/${id}/jobs/${id}-test-r0/log`)).text();
    expect(log).toMatch(/^\$ node --test test\/words\.test\.js\n[\s\S]*\[exit 0, /);
    const logJson = await api<{ commands: Array<{ command: string; exit_code: number }> }>(
      serve.url,
      `/v1/tasks/${id}/jobs/${id}-test-r0/log`,
      { headers: { accept: 'application/json' } },
    );
    expect(logJson.body.commands.map((c) => [c.command, c.exit_code])).toEqual([['node --test test/words.test.js', 0]]);

    // The stream is the store's: every event in order, from task.started to task.finished.
    const events = await eventsSoFar(serve.url, id);
    expect(stream.ids).toEqual(events.map((e) => e.seq));
    expect(events[0]?.kind).toBe('task.started');
    expect(events.at(-1)?.kind).toBe('task.finished');
    expect(containersOfTask(id)).toEqual([]);
    expect(await sandboxesWhere((info) => info.labels.task === id)).toEqual([]);
  });

  it('reports NATS, Docker, the database and the worker as healthy', async () => {
    const health = await api<{ status: string; checks: Record<string, { ok: boolean }> }>(serve.url, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(Object.values(health.body.checks).every((check) => check.ok)).toBe(true);
  });

  it('cancels a task while its coder runs: the job stops, its container goes, the status is cancelled', async () => {
    const created = await submitYaml(serve.url, noteTask('slow', repo, 'SLOW-CODER: write a note.'));
    const slow = (created.body as { id: string }).id;
    const deadline = Date.now() + 120_000;
    while (!(await eventsSoFar(serve.url, slow)).some((e) => e.kind === 'command.started' && e.role === 'coder')) {
      if (Date.now() > deadline) throw new Error('the coder never started its command');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sandboxesOf = async (task: string) => (await sandboxesWhere((info) => info.labels.task === task)).length;
    expect(await sandboxesOf(slow)).toBeGreaterThan(0);
    const cancelled = await runCli(['cancel', slow, '--server', serve.url]);
    expect(cancelled.stdout).toBe(`${slow} cancelled\n`);
    expect(cancelled.code).toBe(0);
    const task = TaskView.parse((await api(serve.url, `/v1/tasks/${slow}`)).body);
    expect(task).toMatchObject({ status: 'cancelled', cancel_requested: true, error: { code: 'CANCELLED' } });
    expect(await until(async () => (await sandboxesOf(slow)) === 0, 60_000)).toBe(true);
    expect((await api(serve.url, `/v1/tasks/${slow}/diff`)).status).toBe(409);
  });

  it('is driven by the CLI: submit --follow, tasks, logs', async () => {
    const file = join(dir, 'cli-task.yaml');
    // A relative repository path is read against the task file's folder, as codecrew run reads it.
    await writeFile(file, noteTask('from-cli', './repo'));
    const submitted = await runCli(['submit', file, '--follow', '--server', serve.url]);
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const cliId = submitted.stdout.split('\n')[0] ?? '';
    expect(cliId).toMatch(/^t[0-9a-z]+$/);
    expect(submitted.stdout).toMatch(/tester\s+tests passed/);
    expect(submitted.stdout).toMatch(/\nResult: approved\n/);
    expect(submitted.stdout).toContain('branch:  codecrew/from-cli');

    const env = { CODECREW_SERVER: serve.url };
    const table = await runCli(['tasks'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+NAME\s+CREATED\s+REPO$/);
    expect(table.stdout).toMatch(new RegExp(`${cliId}\\s+approved\\s+from-cli`));
    const approved = await runCli(['tasks', '--status', 'approved', '--json'], { env });
    const list = JSON.parse(approved.stdout) as Array<{ id: string; status: string }>;
    expect(list.map((t) => t.id)).toEqual([cliId, id]);

    const logs = await runCli(['logs', cliId], { env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/coder note\s+▸ write_file notes\.txt/);
    const json = await runCli(['logs', cliId, '--json'], { env });
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number });
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_, i) => i + 1));
    const followed = await runCli(['logs', cliId, '--follow'], { env });
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/\nResult: approved\n/);

    const missing = await runCli(['cancel', 't0nothere'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[TASK_NOT_FOUND]');
    const nobody = await runCli(['tasks', '--server', 'http://127.0.0.1:9']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('[SERVER_UNAVAILABLE]');
  });
});

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TEXTKIT, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';
import { createTestSchema, postgresAvailable } from '../support/postgres.ts';
import { until } from '../support/worker-process.ts';
import {
  NOTE_SCRIPT,
  eventsSoFar,
  noteTask,
  readSse,
  startServe,
  submitYaml,
  type EventLine,
} from '../support/serve.ts';

const idOf = (answer: { body: unknown }) => (answer.body as { id: string }).id;

/** Polls the stored events until one matches; fails, with the server's output, when the task ends first or after 180 s. */
async function waitForEvent(
  url: string,
  id: string,
  match: (event: EventLine) => boolean,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const events = await eventsSoFar(url, id);
    if (events.some(match)) return;
    const ended = events.some((event) => event.kind === 'task.finished');
    if (ended || Date.now() > deadline)
      throw new Error(
        `no such event of ${id} ${ended ? 'before it ended' : 'within 180 s'}; the server said:\n${output()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sleeping = (event: EventLine) =>
  event.kind === 'command.started' && event.role === 'coder' && JSON.stringify(event.data).includes('sleep 4');

/** The checkpoints PostgreSQL holds of a task's thread. */
async function checkpointRows(databaseUrl: string, taskId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*) AS count FROM checkpoints WHERE thread_id = $1',
      [taskId],
    );
    return Number(rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

// CI must run this suite: without PostgreSQL the file fails there. Elsewhere it skips, saying how to start one.
const available = await postgresAvailable('codecrew serve on PostgreSQL tests');

describe.runIf(available)('codecrew serve on PostgreSQL (DATABASE_URL)', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  beforeAll(async () => {
    schema = await createTestSchema('serve_test');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it(
    'resumes a task killed with kill -9 from its PostgreSQL checkpoint, and it is approved',
    { timeout: 420_000 },
    async () => {
      const dir = await tempDirFor('serve postgres restart');
      const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
      const script = join(dir, 'note.script.yaml');
      await writeFile(script, NOTE_SCRIPT);
      const data = join(dir, 'data');
      const args = ['--max-tasks', '1', '--model', `scripted:${script}`, '--data-dir', data];
      const env = { DATABASE_URL: schema.url };
      const first = await startServe(args, { cwd: dir, env });
      let second: Awaited<ReturnType<typeof startServe>> | null = null;
      try {
        await first.waitFor(/checkpoints: PostgreSQL .*\(schema \w+\)/);
        expect(first.output()).toContain(`(schema ${schema.schema})`);
        const killed = idOf(await submitYaml(first.url, noteTask('killed', repo, 'SLEEP 4: write a note.')));
        await waitForEvent(first.url, killed, sleeping, first.output);
        first.child.kill('SIGKILL');
        await first.exited;
        // The checkpoints of the killed run are in PostgreSQL, none in SQLite files of the data directory.
        expect(await checkpointRows(schema.url, killed)).toBeGreaterThan(0);
        expect(existsSync(join(data, 'checkpoints'))).toBe(false);
        expect(existsSync(join(data, 'checkpoints.sqlite'))).toBe(false);

        second = await startServe(args, { cwd: dir, env });
        const after = await readSse(second.url, killed);
        expect(after.end?.status).toBe('approved');
        const events = await eventsSoFar(second.url, killed);
        const starts = events.filter((e) => e.kind === 'task.started');
        expect(starts.map((e) => e.data['resumed'])).toEqual([false, true]);
        // The plan, finished before the kill, came from the checkpoint: it was not asked for again.
        const dispatched = events.filter((e) => e.kind === 'job.dispatched').map((e) => e.data['jobId']);
        expect(dispatched.filter((job) => job === `${killed}-plan`)).toHaveLength(1);
        expect(events.filter((e) => e.kind === 'task.finished')).toHaveLength(1);

        // Deleting the ended task deletes its checkpoints too.
        expect((await fetch(`${second.url}/v1/tasks/${killed}`, { method: 'DELETE' })).status).toBe(204);
        expect(await checkpointRows(schema.url, killed)).toBe(0);
      } finally {
        await second?.stop();
        await first.stop('SIGKILL');
      }
    },
  );

  it('codecrew resume finishes a killed codecrew run from its PostgreSQL checkpoint', async () => {
    const dir = await tempDirFor('resume postgres run');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const script = join(dir, 'note.script.yaml');
    await writeFile(script, NOTE_SCRIPT);
    const task = join(dir, 'task.yaml');
    await writeFile(task, noteTask('resumed', repo, 'SLEEP 4: write a note.'));
    const data = join(dir, 'data');
    const env = { DATABASE_URL: schema.url, CODECREW_DATA_DIR: data };
    const run = spawn(
      process.execPath,
      [join(ROOT, 'packages/cli/bin/codecrew.js'), 'run', task, '--model', `scripted:${script}`],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => run.once('exit', resolve));
    expect(await until(() => /coder note\s+\$ sleep 4/.test(output), 120_000), output).toBe(true);
    run.kill('SIGKILL');
    await exited;
    const taskId = /\((t[0-9a-z]+)\), output in/.exec(output)?.[1] ?? '';
    expect(taskId).not.toBe('');
    expect(await checkpointRows(schema.url, taskId)).toBeGreaterThan(0);
    expect(existsSync(join(data, 'checkpoints.sqlite'))).toBe(false);

    const resumed = await runCli(['resume', taskId], { cwd: dir, env });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/\nResult: approved\n/);
    const report = JSON.parse(readFileSync(join(data, 'tasks', taskId, 'report.json'), 'utf8')) as {
      status: string;
      jobs: Array<{ jobId: string }>;
    };
    expect(report.status).toBe('approved');
    expect(report.jobs.filter((job) => job.jobId === `${taskId}-plan`)).toHaveLength(1);
  });

  it('codecrew resume says which store it looked in when a task has no checkpoint', async () => {
    const dir = await tempDirFor('resume postgres missing');
    const inPostgres = await runCli(['resume', 't_none'], {
      cwd: dir,
      env: { DATABASE_URL: schema.url, CODECREW_DATA_DIR: join(dir, 'data') },
    });
    expect(inPostgres.code).not.toBe(0);
    expect(inPostgres.stderr).toContain('USAGE_INVALID');
    expect(inPostgres.stderr).toContain(`no checkpoint of task t_none in PostgreSQL`);
    expect(inPostgres.stderr).toContain(`(schema ${schema.schema})`);
    expect(inPostgres.stderr).toContain('resume runs with the DATABASE_URL of the codecrew run that started it');

    const inSqlite = await runCli(['resume', 't_none'], {
      cwd: dir,
      env: { DATABASE_URL: '', CODECREW_DATA_DIR: join(dir, 'data') },
    });
    expect(inSqlite.code).not.toBe(0);
    expect(inSqlite.stderr).toContain(
      `no checkpoint of task t_none in SQLite file ${join(dir, 'data', 'checkpoints.sqlite')}`,
    );
    expect(inSqlite.stderr).toContain('DATABASE_URL is not set');
  });
});

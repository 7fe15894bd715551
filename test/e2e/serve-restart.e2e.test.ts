import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, TEXTKIT, containersOfTask, git, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';
import {
  NOTE_SCRIPT,
  api,
  eventsSoFar,
  noteTask,
  readSse,
  startServe,
  submitYaml,
  waitForStatus,
  type EventLine,
} from '../support/serve.ts';
import { sandboxesWhere, until } from '../support/worker-process.ts';

const idOf = (answer: { body: unknown }) => (answer.body as { id: string }).id;

/** Polls the stored events until one matches. */
async function waitForEvent(url: string, id: string, match: (event: EventLine) => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await eventsSoFar(url, id)).some(match)) {
    if (Date.now() > deadline) throw new Error(`no such event of ${id} within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sleeping = (event: EventLine) =>
  event.kind === 'command.started' && event.role === 'coder' && JSON.stringify(event.data).includes('sleep 4');

describe('codecrew serve after kill -9', () => {
  it('resumes a running task from its checkpoint with the same diff, no orphan and a stream without gap or repeat; queued tasks wait', async () => {
    const dir = await tempDirFor('serve restart');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const script = join(dir, 'note.script.yaml');
    await writeFile(script, NOTE_SCRIPT);
    const args = ['--max-tasks', '1', '--model', `scripted:${script}`, '--data-dir', join(dir, 'data')];
    const first = await startServe(args, { cwd: dir });
    let second: Awaited<ReturnType<typeof startServe>> | null = null;
    try {
      // A run nobody interrupts, for the diff to compare with.
      const reference = idOf(await submitYaml(first.url, noteTask('reference', repo, 'SLEEP 4: write a note.')));
      expect((await waitForStatus(first.url, reference, ['approved', 'not_approved', 'failed'])).status).toBe(
        'approved',
      );
      const referenceDiff = await (await fetch(`${first.url}/v1/tasks/${reference}/diff`)).text();

      const killed = idOf(await submitYaml(first.url, noteTask('killed', repo, 'SLEEP 4: write a note.')));
      const waiting = idOf(await submitYaml(first.url, noteTask('waiting', repo)));
      // A client watches the stream; the server dies while the coder runs its command.
      const before = readSse(first.url, killed);
      await waitForEvent(first.url, killed, sleeping);
      const sandboxesBefore = await sandboxesWhere((info) => info.labels.task === killed);
      expect(sandboxesBefore.length).toBeGreaterThan(0);
      first.child.kill('SIGKILL');
      await first.exited;
      const seen = await before;
      expect(seen.end).toBeNull();
      expect(seen.ids).toEqual(seen.ids.map((_, i) => i + 1));

      second = await startServe(args, { cwd: dir });
      // The waiting task waited: the killed one resumes first (max-tasks 1).
      const queued = await api<{ status: string }>(second.url, `/v1/tasks/${waiting}`);
      expect(queued.body.status).toBe('queued');
      const after = await readSse(second.url, killed, { lastEventId: seen.ids.at(-1) ?? 0 });
      expect(after.end?.status).toBe('approved');

      const events = await eventsSoFar(second.url, killed);
      expect([...seen.ids, ...after.ids]).toEqual(events.map((e) => e.seq));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const starts = events.filter((e) => e.kind === 'task.started');
      expect(starts.map((e) => e.data['resumed'])).toEqual([false, true]);
      // Jobs finished before the kill were not sent again.
      const dispatched = events.filter((e) => e.kind === 'job.dispatched').map((e) => e.data['jobId']);
      expect(dispatched.filter((job) => job === `${killed}-plan`)).toHaveLength(1);
      expect(events.filter((e) => e.kind === 'task.finished')).toHaveLength(1);

      const diff = await (await fetch(`${second.url}/v1/tasks/${killed}/diff`)).text();
      expect(diff).toBe(referenceDiff);
      expect(git(repo, 'diff', 'codecrew/reference', 'codecrew/killed')).toBe('');
      // The container of the killed server's job was removed by the restarted one.
      for (const sandbox of sandboxesBefore) {
        expect(await until(async () => !(await sandboxesWhere((info) => info.id === sandbox.id)).length, 60_000)).toBe(
          true,
        );
      }
      expect(containersOfTask(killed)).toEqual([]);

      expect((await waitForStatus(second.url, waiting, ['approved', 'not_approved', 'failed'])).status).toBe(
        'approved',
      );
    } finally {
      await second?.stop();
      await first.stop('SIGKILL');
    }
  });
});

describe('codecrew resume', () => {
  it('finishes a task whose codecrew run was killed, from its checkpoint, with the same diff', async () => {
    const dir = await tempDirFor('resume killed run');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const script = join(dir, 'note.script.yaml');
    await writeFile(script, NOTE_SCRIPT);
    const task = join(dir, 'task.yaml');
    await writeFile(task, noteTask('resumed', repo, 'SLEEP 4: write a note.'));
    const env = { ...process.env, NO_COLOR: '1', CODECREW_DATA_DIR: join(dir, 'data') };

    const run = spawn(
      process.execPath,
      [join(ROOT, 'packages/cli/bin/codecrew.js'), 'run', task, '--model', `scripted:${script}`],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
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

    const resumed = await runCli(['resume', taskId], { cwd: dir, env: { CODECREW_DATA_DIR: join(dir, 'data') } });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/\nResult: approved\n/);
    const report = JSON.parse(readFileSync(join(dir, 'data', 'tasks', taskId, 'report.json'), 'utf8')) as {
      status: string;
      jobs: Array<{ jobId: string }>;
    };
    expect(report.status).toBe('approved');
    expect(report.jobs.filter((job) => job.jobId === `${taskId}-plan`)).toHaveLength(1);
    expect(readFileSync(join(dir, 'data', 'tasks', taskId, 'diff.patch'), 'utf8')).toContain('+a note');
    expect(git(repo, 'show', 'codecrew/resumed:notes.txt')).toBe('a note');
    expect(containersOfTask(taskId)).toEqual([]);

    const unknown = await runCli(['resume', 't0nothere'], { cwd: dir, env: { CODECREW_DATA_DIR: join(dir, 'data') } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no checkpoint of task t0nothere');
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskList } from '@codecrew/server';
import { TEXTKIT, git, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { NOTE_SCRIPT, api, noteTask, startServe, submitYaml, waitForStatus } from '../support/serve.ts';

/** The most intervals [start, end] that overlap at one moment. */
function mostAtOnce(intervals: Array<[number, number]>): number {
  const moments = intervals.flatMap(([start, end]): Array<[number, number]> => [
    [start, 1],
    [end, -1],
  ]);
  // At equal times an end comes before a start: a task that ends as another starts is not beside it.
  moments.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, change] of moments) {
    now += change;
    most = Math.max(most, now);
  }
  return most;
}

describe('codecrew serve --max-tasks 3', () => {
  it('runs ten tasks submitted at once never more than three at a time, all approved with their own branches', async () => {
    const dir = await tempDirFor('serve many');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    await writeFile(join(dir, 'note.script.yaml'), NOTE_SCRIPT);
    const serve = await startServe(
      ['--max-tasks', '3', '--model', `scripted:${join(dir, 'note.script.yaml')}`, '--data-dir', join(dir, 'data')],
      { cwd: dir },
    );
    try {
      const names = Array.from({ length: 10 }, (_, i) => `many-${i}`);
      const answers = await Promise.all(names.map((name) => submitYaml(serve.url, noteTask(name, repo))));
      expect(answers.map((answer) => answer.status)).toEqual(names.map(() => 201));
      const ids = answers.map((answer) => (answer.body as { id: string }).id);
      for (const id of ids) await waitForStatus(serve.url, id, ['approved', 'not_approved', 'failed'], 600_000);

      const list = TaskList.parse((await api(serve.url, '/v1/tasks?limit=10')).body);
      expect(list.tasks.map((task) => task.status)).toEqual(names.map(() => 'approved'));
      const intervals = list.tasks.map((task): [number, number] => [
        Date.parse(task.started_at ?? ''),
        Date.parse(task.ended_at ?? ''),
      ]);
      // Three ran at once (ten were waiting), never more.
      expect(mostAtOnce(intervals)).toBe(3);
      // First in, first out: tasks started in the order they were queued (the list is newest first).
      const starts = [...list.tasks].reverse().map((task) => Date.parse(task.started_at ?? ''));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      for (const name of names) {
        expect(git(repo, 'show', `codecrew/${name}:notes.txt`)).toBe('a note');
        expect(git(repo, 'rev-list', '--count', `main..codecrew/${name}`)).toBe('1');
      }
    } finally {
      await serve.stop();
    }
  });
});

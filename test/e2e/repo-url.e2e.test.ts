import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, TaskView } from '@codecrew/server';
import { TEXTKIT, git, makeGitRepo, readReport, runCli, tempDirFor } from '../support/cli.ts';
import { NOTE_SCRIPT, api, readSse, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';

/** A note task (see NOTE_SCRIPT) on a repository URL. */
function urlTask(name: string, url: string): string {
  return [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { url: ${JSON.stringify(url)}, ref: main }`,
    '  prompt: "Write a note."',
    '  test: { command: node --test test/words.test.js }',
    '  review: { maxRounds: 1 }',
    '',
  ].join('\n');
}

/** Commits one more file in `repo`, as someone pushing to the remote would. */
function commitUpstream(repo: string, file: string): string {
  execFileSync(
    'git',
    ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '--allow-empty', '-m', file],
    {
      cwd: repo,
    },
  );
  return git(repo, 'rev-parse', 'HEAD');
}

let dir = '';
let upstream = '';
let url = '';
let dataDir = '';
let script = '';
let serve: ServeProcess | undefined;
beforeAll(async () => {
  dir = await tempDirFor('repo url');
  upstream = await makeGitRepo(TEXTKIT, join(dir, 'upstream'));
  url = pathToFileURL(upstream).href;
  dataDir = join(dir, 'data');
  script = join(dir, 'note.script.yaml');
  await writeFile(script, NOTE_SCRIPT);
});
afterAll(async () => {
  await serve?.stop();
});

describe('a task whose repository is a git URL', () => {
  let cacheDir = '';

  it('codecrew run clones the URL into the data directory and commits the result branch there', async () => {
    const spec = join(dir, 'task.yaml');
    await writeFile(spec, urlTask('from-url', url));
    const run = await runCli(['run', spec, '--model', `scripted:${script}`], { env: { CODECREW_DATA_DIR: dataDir } });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = (await readReport(run)) as unknown as {
      status: string;
      repo: { path: string; url: string | null; ref: string; baseCommit: string };
      result: { branch: string; commit: string };
    };
    expect(report.status).toBe('approved');
    cacheDir = report.repo.path;
    expect(readdirSync(join(dataDir, 'repos'))).toEqual([cacheDir.split('/').at(-1)]);
    expect(report.repo).toMatchObject({ url, ref: 'main', baseCommit: git(upstream, 'rev-parse', 'main') });
    expect(report.result.branch).toBe('codecrew/from-url');
    expect(run.stdout).toMatch(
      new RegExp(`branch: {2}codecrew/from-url in ${cacheDir} \\([0-9a-f]{10}\\), the cached clone of ${url}\n`),
    );
    // The branch is in the cached clone, one commit on the remote's main; the remote itself is untouched.
    expect(git(cacheDir, 'rev-parse', 'codecrew/from-url^')).toBe(report.repo.baseCommit);
    expect(git(cacheDir, 'diff', '--name-only', report.repo.baseCommit, 'codecrew/from-url')).toBe('notes.txt');
    expect(git(upstream, 'branch', '--list', 'codecrew/*')).toBe('');
  });

  it('codecrew serve fetches the cached clone again, works from the new commit and says where the branch is', async () => {
    const newer = commitUpstream(upstream, 'second');
    serve = await startServe(['--max-tasks', '1', '--model', `scripted:${script}`, '--data-dir', dataDir], {
      cwd: dir,
    });
    const created = await submitYaml(serve.url, urlTask('via-serve', url));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { id: string }).id;
    const stream = await readSse(serve.url, id);
    expect(stream.end?.status).toBe('approved');
    const task = TaskView.parse((await api(serve.url, `/v1/tasks/${id}`)).body);
    expect(task.repo).toBe(url);
    expect(task.spec.spec.repo).toEqual({ url, ref: 'main' });
    expect(task.result).toMatchObject({ branch: 'codecrew/via-serve', repository: cacheDir, files_changed: 1 });
    expect(git(cacheDir, 'rev-parse', 'codecrew/via-serve^')).toBe(newer);
    const diff = await (await fetch(`${serve.url}/v1/tasks/${id}/diff`)).text();
    expect(diff).toBe(`${git(cacheDir, 'diff', '--no-color', newer, 'codecrew/via-serve')}\n`);
    // The first task's branch is still there: fetching never touches the branches codecrew made.
    expect(git(cacheDir, 'branch', '--list', 'codecrew/*').replace(/\s+/g, ' ').trim()).toBe(
      'codecrew/from-url codecrew/via-serve',
    );
  });

  it('codecrew serve answers a URL git cannot clone with 400 REPO_CLONE_FAILED, credentials removed', async () => {
    if (serve === undefined) throw new Error('the server did not start');
    const secret = 'pa55-w0rd-xyz';
    const answer = await submitYaml(serve.url, urlTask('bad-url', `http://bot:${secret}@127.0.0.1:9/team/app.git`));
    expect(answer.status).toBe(400);
    const body = ErrorBody.parse(answer.body);
    expect(body.error.code).toBe('REPO_CLONE_FAILED');
    expect(body.error.message).toContain('could not clone http://***@127.0.0.1:9/team/app.git');
    expect(JSON.stringify(answer.body)).not.toContain(secret);
    expect(serve.output()).not.toContain(secret);
    expect(readdirSync(join(dataDir, 'repos')).filter((name) => !name.endsWith('.lock'))).toEqual([
      cacheDir.split('/').at(-1),
    ]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, TaskView, verifySignature } from '@codecrew/server';
import { TEXTKIT, git, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { startGitDaemon, type GitDaemon } from '../support/git-daemon.ts';
import { NOTE_SCRIPT, api, readSse, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';
import { GitHubStandIn } from '../../orchestrator/test/support/github-stand-in.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = 'e2e-webhook-secret';
const TOKEN = 'ghp_e2eStandInToken';

interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: Array<{ attempt: number; status_code: number | null; error: string | null }>;
}

/** A note task (see NOTE_SCRIPT) that pushes its branch to origin and opens a draft pull request. */
function deliveredTask(name: string, repo: string): string {
  return [
    'apiVersion: codecrew/v1',
    'kind: Task',
    `metadata: { name: ${name} }`,
    'spec:',
    `  repo: { path: ${JSON.stringify(repo)} }`,
    '  prompt: "Write a note."',
    '  test: { command: node --test test/words.test.js }',
    '  review: { maxRounds: 1 }',
    '  output:',
    '    push: { remote: origin }',
    '    pullRequest: { github: acme/textkit, base: main, draft: true }',
    '',
  ].join('\n');
}

/** The task's deliveries once every one has settled (they are retried in the background). */
async function settledDeliveries(url: string, id: string, count: number): Promise<DeliveryView[]> {
  for (;;) {
    const answer = await api<{ deliveries: DeliveryView[] }>(url, `/v1/tasks/${id}/webhooks`);
    expect(answer.status).toBe(200);
    const { deliveries } = answer.body;
    if (deliveries.length >= count && deliveries.every((d) => d.status !== 'pending')) return deliveries;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dir = '';
let served = '';
let work = '';
let daemon: GitDaemon | undefined;
let github: GitHubStandIn | undefined;
let receiver: WebhookReceiver | undefined;
let serve: ServeProcess | undefined;
let remoteRepo = '';

beforeAll(async () => {
  dir = await tempDirFor('serve delivery');
  served = join(dir, 'served');
  mkdirSync(served);
  work = await makeGitRepo(TEXTKIT, join(dir, 'work'));
  remoteRepo = join(served, 'textkit.git');
  execFileSync('git', ['clone', '--quiet', '--bare', work, remoteRepo]);
  daemon = await startGitDaemon(served);
  git(work, 'remote', 'add', 'origin', `${daemon.url}textkit.git`);
  github = new GitHubStandIn('acme/textkit', TOKEN);
  await github.start();
  // The receiver refuses the first two requests it gets: those deliveries are retried.
  receiver = new WebhookReceiver([500, 500]);
  await receiver.start();
  const script = join(dir, 'note.script.yaml');
  await writeFile(script, NOTE_SCRIPT);
  await writeFile(
    join(dir, 'codecrew.yaml'),
    [
      'server:',
      '  publicUrl: http://codecrew.test',
      '  webhooks:',
      `    - url: ${receiver.url}`,
      '      events: [task.queued, task.started, task.ended]',
      `      secret: ${SECRET}`,
      '      initialDelay: 200ms',
      '',
    ].join('\n'),
  );
  serve = await startServe(['--max-tasks', '1', '--model', `scripted:${script}`, '--data-dir', join(dir, 'data')], {
    cwd: dir,
    env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url },
  });
});

afterAll(async () => {
  await serve?.stop();
  await receiver?.stop();
  await github?.stop();
  await daemon?.stop();
});

describe('codecrew serve delivers a result: push, pull request, webhooks', () => {
  let id = '';
  let commit = '';

  it('pushes the result branch over git:// and opens a draft pull request linking the task', async () => {
    if (serve === undefined || github === undefined) throw new Error('setup failed');
    const created = await submitYaml(serve.url, deliveredTask('delivered', work));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = (created.body as { id: string }).id;
    const stream = await readSse(serve.url, id);
    expect(stream.end?.status).toBe('approved');
    const task = TaskView.parse((await api(serve.url, `/v1/tasks/${id}`)).body);
    expect(task.result?.branch).toBe('codecrew/delivered');
    commit = git(work, 'rev-parse', 'codecrew/delivered');
    expect(git(remoteRepo, 'rev-parse', 'refs/heads/codecrew/delivered')).toBe(commit);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({ head: 'codecrew/delivered', base: 'main', draft: true });
    expect(github.pulls[0]?.body).toContain(`http://codecrew.test/v1/tasks/${id}/events`);
    const report = (await api(serve.url, `/v1/tasks/${id}/report`)).body as {
      result: { push: { commit: string; error: null }; pullRequest: { number: number; action: string } };
    };
    expect(report.result.push).toMatchObject({ remote: 'origin', commit, error: null });
    expect(report.result.pullRequest).toMatchObject({ number: 1, action: 'opened', error: null });
  });

  it('sends signed webhooks for the chosen events, retrying the refused ones, and lists every attempt', async () => {
    if (serve === undefined || receiver === undefined) throw new Error('setup failed');
    const deliveries = await settledDeliveries(serve.url, id, 3);
    expect(deliveries.map((d) => d.event)).toEqual(['task.queued', 'task.started', 'task.ended']);
    expect(deliveries.every((d) => d.status === 'delivered')).toBe(true);
    const attempts = deliveries.flatMap((d) => d.attempts);
    expect(attempts).toHaveLength(5);
    expect(attempts.filter((a) => a.status_code === 500)).toHaveLength(2);
    for (const delivery of deliveries) expect(delivery.attempts.at(-1)?.status_code).toBe(204);
    for (const request of receiver.received) {
      expect(verifySignature(SECRET, request.body, request.headers['x-codecrew-signature'] as string)).toBe(true);
    }
    const ended = receiver.received.find((r) => r.headers['x-codecrew-event'] === 'task.ended' && r.answered === 204);
    expect(JSON.parse(ended?.body ?? '{}')).toMatchObject({
      event: 'task.ended',
      task: { id, status: 'approved' },
      data: { status: 'approved', result: { branch: 'codecrew/delivered' } },
    });
  });

  it('POST /push pushes again on request, and answers a refused push with 502 PUSH_FAILED, changing nothing', async () => {
    if (serve === undefined) throw new Error('setup failed');
    const again = await api(serve.url, `/v1/tasks/${id}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ remote: 'origin' }),
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual({ remote: 'origin', branch: 'codecrew/delivered', commit });

    // Someone else moves the served branch: codecrew's push is no longer a fast-forward.
    const other = join(dir, 'other');
    execFileSync('git', ['clone', '--quiet', '--branch', 'codecrew/delivered', remoteRepo, other]);
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'theirs'],
      { cwd: other },
    );
    const theirs = git(other, 'rev-parse', 'HEAD');
    git(other, 'push', '--quiet', 'origin', 'codecrew/delivered');
    // The result branch is now behind the served one: pushing it would drop their commit.
    const before = (await api(serve.url, `/v1/tasks/${id}`)).body;
    const refused = await api(serve.url, `/v1/tasks/${id}/push`, { method: 'POST' });
    expect(refused.status).toBe(502);
    const body = ErrorBody.parse(refused.body);
    expect(body.error.code).toBe('PUSH_FAILED');
    expect(body.error.message).toMatch(/rejected/);
    expect(git(remoteRepo, 'rev-parse', 'refs/heads/codecrew/delivered')).toBe(theirs);
    expect(git(work, 'rev-parse', 'codecrew/delivered')).toBe(commit);
    expect((await api(serve.url, `/v1/tasks/${id}`)).body).toEqual(before);
  });

  it('answers 404 for the webhooks of an unknown task', async () => {
    if (serve === undefined) throw new Error('setup failed');
    const answer = await api(serve.url, '/v1/tasks/t_none/webhooks');
    expect(answer.status).toBe(404);
    expect(ErrorBody.parse(answer.body).error.code).toBe('TASK_NOT_FOUND');
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '@codecrew/server';
import { TEXTKIT, makeGitRepo, tempDirFor } from '../support/cli.ts';
import { NOTE_SCRIPT, api, readSse, startServe, submitYaml, type ServeProcess } from '../support/serve.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = 'restart-webhook-secret';

interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: Array<{ status_code: number | null }>;
}

async function deliveries(url: string, id: string): Promise<DeliveryView[]> {
  const answer = await api<{ deliveries: DeliveryView[] }>(url, `/v1/tasks/${id}/webhooks`);
  expect(answer.status).toBe(200);
  return answer.body.deliveries;
}

/** Polls the deliveries until `done` holds (bounded by the test's timeout). */
async function deliveriesWhen(
  url: string,
  id: string,
  done: (list: DeliveryView[]) => boolean,
): Promise<DeliveryView[]> {
  for (;;) {
    const list = await deliveries(url, id);
    if (done(list)) return list;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let dir = '';
let serve: ServeProcess | undefined;
let receiver: WebhookReceiver | undefined;
let port = 0;
let args: string[] = [];

beforeAll(async () => {
  dir = await tempDirFor('serve webhooks restart');
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'textkit'));
  const script = join(dir, 'note.script.yaml');
  await writeFile(script, NOTE_SCRIPT);
  // A free port for the receiver, which is down until the server has been restarted.
  const probe = new WebhookReceiver();
  await probe.start();
  port = Number(new URL(probe.url).port);
  await probe.stop();
  await writeFile(
    join(dir, 'codecrew.yaml'),
    [
      'server:',
      '  webhooks:',
      `    - url: http://127.0.0.1:${port}/hook`,
      '      events: [task.queued, task.ended]',
      `      secret: ${SECRET}`,
      '      initialDelay: 1s',
      '      maxAttempts: 20',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'task.yaml'),
    [
      'apiVersion: codecrew/v1',
      'kind: Task',
      'metadata: { name: hooked }',
      'spec:',
      `  repo: { path: ${JSON.stringify(repo)} }`,
      '  prompt: "Write a note."',
      '  test: { command: node --test test/words.test.js }',
      '  review: { maxRounds: 1 }',
      '',
    ].join('\n'),
  );
  args = ['--max-tasks', '1', '--model', `scripted:${script}`, '--data-dir', join(dir, 'data')];
});

afterAll(async () => {
  await serve?.stop();
  await receiver?.stop();
});

describe('webhook deliveries across a restart of codecrew serve', () => {
  it('keeps the deliveries a down receiver refused and sends them after the restart, same ids and bodies', async () => {
    serve = await startServe(args, { cwd: dir });
    const created = await submitYaml(serve.url, await readFile(join(dir, 'task.yaml'), 'utf8'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { id: string }).id;
    expect((await readSse(serve.url, id)).end?.status).toBe('approved');
    // Both events were tried at least once and refused: nothing listens on the receiver's port.
    const before = await deliveriesWhen(
      serve.url,
      id,
      (list) => list.length === 2 && list.every((d) => d.attempts.length > 0),
    );
    expect(before.map((d) => [d.event, d.status])).toEqual([
      ['task.queued', 'pending'],
      ['task.ended', 'pending'],
    ]);
    expect(before.flatMap((d) => d.attempts.map((a) => a.status_code))).toEqual(
      before.flatMap((d) => d.attempts.map(() => null)),
    );
    await serve.stop();

    receiver = new WebhookReceiver();
    await receiver.start(port);
    serve = await startServe(args, { cwd: dir });
    const after = await deliveriesWhen(serve.url, id, (list) => list.every((d) => d.status === 'delivered'));
    expect(after.map((d) => d.id)).toEqual(before.map((d) => d.id));
    for (const delivery of after) expect(delivery.attempts.at(-1)?.status_code).toBe(204);
    expect(receiver.received.map((r) => r.headers['x-codecrew-delivery']).sort()).toEqual(
      before.map((d) => d.id).sort(),
    );
    for (const request of receiver.received) {
      expect(verifySignature(SECRET, request.body, request.headers['x-codecrew-signature'] as string)).toBe(true);
      expect(JSON.parse(request.body)).toMatchObject({ task: { id } });
    }
  });
});

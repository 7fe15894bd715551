import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, TaskList } from '@codecrew/server';
import { ROOT } from '../support/cli.ts';
import { fuzzTaskFiles, seededRandom } from '../support/fuzz-tasks.ts';
import { api, startInProcessServer, submitYaml, type InProcessServer } from '../support/serve.ts';

/** One generated request. */
interface FuzzRequest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

type Random = () => number;
const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
const int = (rnd: Random, min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));

const NASTY = [
  '%zz',
  '%00',
  '%ff%fe',
  '..%2f..%2f',
  '%c0%ae',
  'ü',
  '😀',
  '<script>',
  "' or 1=1",
  ' ',
  '%20',
  '~',
  '%2e',
  '*',
  '$',
];
const SEGMENTS = ['tasks', 'v1', 'events', 'diff', 'report', 'report.md', 'jobs', 'log', 'cancel', 'x', ''];

function randomText(rnd: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += rnd() < 0.3 ? pick(rnd, NASTY) : String.fromCharCode(int(rnd, 33, 126));
  return encodeURI(text).replace(/%25/g, '%');
}

/** Paths that name nothing, or name something in a way the API refuses. */
function badPath(rnd: Random, knownId: string): { method: string; path: string } {
  switch (int(rnd, 0, 7)) {
    case 0:
      return { method: 'GET', path: `/v1/tasks/${randomText(rnd, int(rnd, 1, 20))}` };
    case 1:
      return { method: 'GET', path: `/v1/tasks/${knownId}/${pick(rnd, SEGMENTS)}/${randomText(rnd, int(rnd, 1, 8))}` };
    case 2:
      return { method: pick(rnd, ['PUT', 'PATCH', 'DELETE']), path: '/v1/tasks' };
    case 3:
      return {
        method: 'GET',
        path: `/${Array.from({ length: int(rnd, 1, 5) }, () => pick(rnd, SEGMENTS)).join('/')}x`,
      };
    case 4:
      return { method: 'GET', path: `/v1/tasks?${randomText(rnd, int(rnd, 1, 6))}=${randomText(rnd, int(rnd, 0, 6))}` };
    case 5:
      return {
        method: 'GET',
        path: `/v1/tasks?limit=${pick(rnd, ['0', '-1', '501', '1e3', 'ten', '', '99999999999'])}`,
      };
    case 6:
      return { method: 'GET', path: `/v1/tasks/${'a'.repeat(int(rnd, 65, 400))}` };
    default:
      return { method: pick(rnd, ['POST', 'DELETE']), path: `/v1/tasks/${randomText(rnd, int(rnd, 1, 12))}/cancel` };
  }
}

/** JSON bodies: broken text, or JSON of the wrong shape. */
function badJson(rnd: Random): string {
  const shapes = [
    () => '{',
    () => '{"apiVersion": "codecrew/v1",}',
    () => JSON.stringify([1, 2, 3]),
    () => JSON.stringify(int(rnd, -5, 5)),
    () => 'null',
    () => JSON.stringify({ apiVersion: 'codecrew/v2', kind: 'Task', metadata: { name: 'x' }, spec: {} }),
    () =>
      JSON.stringify({
        apiVersion: 'codecrew/v1',
        kind: 'Task',
        metadata: { name: randomText(rnd, 5) },
        spec: { repo: { path: 7 } },
      }),
    () =>
      JSON.stringify({
        apiVersion: 'codecrew/v1',
        kind: 'Task',
        metadata: { name: 'ok' },
        spec: { repo: { path: '/nowhere' }, prompt: 'p', [randomText(rnd, 4)]: 1 },
      }),
    () => '['.repeat(int(rnd, 100, 5000)) + ']'.repeat(int(rnd, 0, 50)),
    () => `{"a": "${'\\u'.repeat(int(rnd, 1, 3))}"}`,
    () => randomText(rnd, int(rnd, 1, 200)),
  ];
  return pick(rnd, shapes)();
}

function requests(knownId: string): FuzzRequest[] {
  const rnd = seededRandom(0x5e7e);
  const base = readFileSync(join(ROOT, 'examples/tasks/demo.yaml'), 'utf8');
  const out: FuzzRequest[] = fuzzTaskFiles(base, 540, 0x5e7e).map((fuzz) => ({
    name: `yaml ${fuzz.name}`,
    method: 'POST',
    path: '/v1/tasks',
    headers: { 'content-type': 'application/yaml' },
    body: fuzz.content,
  }));
  for (let i = 0; i < 200; i++) {
    out.push({
      name: `json ${i}`,
      method: 'POST',
      path: '/v1/tasks',
      headers: { 'content-type': 'application/json' },
      body: badJson(rnd),
    });
  }
  for (let i = 0; i < 240; i++) out.push({ name: `path ${i}`, headers: {}, ...badPath(rnd, knownId) });
  for (let i = 0; i < 60; i++) {
    const kind = i % 4;
    if (kind === 0) {
      out.push({
        name: `media type ${i}`,
        method: 'POST',
        path: '/v1/tasks',
        headers: {
          'content-type': pick(rnd, [
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'image/png',
          ]),
        },
        body: randomText(rnd, 20),
      });
    } else if (kind === 1) {
      out.push({
        name: `last-event-id ${i}`,
        method: 'GET',
        path: `/v1/tasks/${knownId}/events`,
        headers: { 'last-event-id': pick(rnd, ['-1', 'abc', '1.5', '12345678901', '0x10', 'NaN']) },
      });
    } else if (kind === 2) {
      out.push({
        name: `idempotency key ${i}`,
        method: 'POST',
        path: '/v1/tasks',
        headers: { 'content-type': 'application/yaml', 'idempotency-key': 'a b' },
        body: 'kind: Task',
      });
    } else {
      out.push({
        name: `empty body ${i}`,
        method: 'POST',
        path: '/v1/tasks',
        headers: { 'content-type': 'application/json' },
        body: pick(rnd, ['', ' ', '\n']),
      });
    }
  }
  return out;
}

let s: InProcessServer;
let knownId = '';
beforeAll(async () => {
  s = await startInProcessServer('serve fuzz', { maxBodySize: '256k' });
  const created = await submitYaml(s.url, s.taskYaml('known'));
  knownId = (created.body as { id: string }).id;
});
afterAll(async () => {
  await s?.close();
});

describe('codecrew serve against generated bad requests', () => {
  it('answers each of over a thousand bad bodies and paths with a 4xx and the error shape, and keeps serving', async () => {
    const all = requests(knownId);
    expect(all.length).toBeGreaterThanOrEqual(1000);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const request = all[next++] as FuzzRequest;
        let response: Response;
        let text: string;
        try {
          response = await fetch(`${s.url}${request.path}`, {
            method: request.method,
            headers: request.headers,
            signal: AbortSignal.timeout(30_000),
            ...(request.body === undefined ? {} : { body: request.body }),
          });
          text = await response.text();
        } catch (error) {
          failures.push(`${request.name} ${request.method} ${request.path} → ${String(error)}`);
          continue;
        }
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        let shaped = false;
        try {
          shaped = ErrorBody.safeParse(JSON.parse(text)).success;
        } catch {
          shaped = false;
        }
        if (response.status < 400 || response.status > 499 || !shaped)
          failures.push(`${request.name} ${request.method} ${request.path} → ${response.status} ${text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures).toEqual([]);
    // Every kind of refusal came up, not only one.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 404, 413, 415]));

    // The server still answers as before.
    const list = await api(s.url, '/v1/tasks');
    expect(list.status).toBe(200);
    expect(TaskList.parse(list.body).tasks.map((t) => t.id)).toEqual([knownId]);
    const again = await submitYaml(s.url, s.taskYaml('after-fuzz'));
    expect(again.status).toBe(201);
  });
});

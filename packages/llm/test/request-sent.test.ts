import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whenRequestSent } from '@codecrew/llm';

let server: Server;
let url: string;
const received: string[] = [];
beforeAll(async () => {
  // Holds every reply for 800 ms, like a model thinking.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['x-codecrew-job']));
      setTimeout(() => res.end('{}'), 800);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (job: string, target = url) => fetch(target, { method: 'POST', headers: { 'x-codecrew-job': job, 'content-type': 'application/json' }, body: JSON.stringify({ messages: ['x'.repeat(10_000)] }) });

describe('whenRequestSent', () => {
  it("resolves once the job's request is written, long before its answer", async () => {
    const started = Date.now();
    const sent = whenRequestSent('job-a', 5_000).then(() => Date.now() - started);
    const answered = post('job-a').then(async (res) => (await res.text(), Date.now() - started));
    const sentAfter = await sent;
    expect(sentAfter).toBeLessThan(700);
    expect(await answered).toBeGreaterThanOrEqual(800);
    expect(received).toContain('job-a');
  });

  it("is not resolved by another job's request, and otherwise ends at its time limit", async () => {
    let resolved = false;
    const started = Date.now();
    const sent = whenRequestSent('job-b', 1_500).then(() => (resolved = true));
    const otherSent = whenRequestSent('job-c', 5_000);
    const other = post('job-c').then((res) => res.text());
    await otherSent;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resolved).toBe(false);
    await sent;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    await other;
  });

  it('resolves when the request fails before it is written', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const started = Date.now();
    const sent = whenRequestSent('job-d', 5_000);
    await post('job-d', `http://127.0.0.1:${port}/`).catch(() => undefined);
    await sent;
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

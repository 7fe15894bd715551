import { describe, expect, it } from 'vitest';
import { retryingFetch, type ModelRetry } from '@codecrew/llm';

/** A fetch that answers from a list: a status, or an error to throw. */
function answering(...answers: Array<number | Error>): { fetch: typeof fetch; tries: string[] } {
  const tries: string[] = [];
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    tries.push(new Headers(init?.headers).get('x-codecrew-retry') ?? '-');
    const next = answers.shift();
    if (next === undefined) throw new Error('no answer left');
    if (next instanceof Error) throw next;
    return new Response(`status ${next}`, { status: next, headers: next === 429 ? { 'retry-after': '0' } : {} });
  };
  return { fetch, tries };
}

describe('retryingFetch', () => {
  it('tells onRetry about every retry: status, reason, wait and attempt', async () => {
    const { fetch, tries } = answering(
      429,
      500,
      new TypeError('fetch failed', { cause: new Error('other side closed') }),
      200,
    );
    const retries: ModelRetry[] = [];
    const wrapped = retryingFetch({
      maxRetries: 4,
      baseDelayMs: 1,
      maxDelayMs: 1,
      fetch,
      onRetry: (retry) => retries.push(retry),
    });
    const response = await wrapped('http://model.invalid/v1/chat/completions', { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(tries).toEqual(['-', '1', '2', '3']);
    expect(retries.map(({ waitMs, ...rest }) => ({ ...rest, waited: waitMs >= 0 }))).toEqual([
      { attempt: 1, maxRetries: 4, status: 429, reason: 'rate_limited', retryAfter: true, waited: true },
      { attempt: 2, maxRetries: 4, status: 500, reason: 'server_error', retryAfter: false, waited: true },
      {
        attempt: 3,
        maxRetries: 4,
        status: null,
        reason: 'connection_failed',
        error: 'fetch failed: other side closed',
        retryAfter: false,
        waited: true,
      },
    ]);
    expect(retries[0]?.waitMs).toBe(0);
  });

  it('retries a 408 and a timed-out connection as timeouts', async () => {
    const timedOut = Object.assign(new Error('Connect Timeout Error'), {
      name: 'ConnectTimeoutError',
      code: 'UND_ERR_CONNECT_TIMEOUT',
    });
    const { fetch } = answering(408, new TypeError('fetch failed', { cause: timedOut }), 200);
    const reasons: string[] = [];
    const wrapped = retryingFetch({
      maxRetries: 2,
      baseDelayMs: 1,
      maxDelayMs: 1,
      fetch,
      onRetry: (retry) => reasons.push(retry.reason),
    });
    expect((await wrapped('http://model.invalid/', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(reasons).toEqual(['timeout', 'timeout']);
  });

  it('reports no retry for the last try, and a listener that throws changes nothing', async () => {
    const { fetch } = answering(503, 503);
    const attempts: number[] = [];
    const wrapped = retryingFetch({
      maxRetries: 1,
      baseDelayMs: 1,
      fetch,
      onRetry: (retry) => {
        attempts.push(retry.attempt);
        throw new Error('listener failed');
      },
    });
    expect((await wrapped('http://model.invalid/', { method: 'POST', body: '{}' })).status).toBe(503);
    expect(attempts).toEqual([1]);
  });
});

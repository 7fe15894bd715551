/** How a retrying fetch behaves. */
export interface RetryPolicy {
  /** Retries after the first try; 0 disables retrying. */
  maxRetries: number;
  /** First backoff when the server gives no `retry-after`; doubles per retry. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A `retry-after` longer than this is not waited for: the error is returned at once. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) in milliseconds. */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Wraps fetch so that 429 and 5xx answers and failed connections are retried,
 * waiting what `retry-after` says (when reasonable) or a short exponential
 * backoff. Every try is a separate HTTP request, marked `x-codecrew-retry: n`.
 */
export function retryingFetch(policy: RetryPolicy): typeof fetch {
  const base = policy.fetch ?? globalThis.fetch;
  const baseDelay = policy.baseDelayMs ?? 500;
  const maxDelay = policy.maxDelayMs ?? 8000;
  const maxRetryAfter = policy.maxRetryAfterMs ?? 60_000;
  const backoff = (retry: number): number => Math.min(maxDelay, baseDelay * 2 ** retry) * (0.75 + Math.random() * 0.25);

  return async (input, init) => {
    // A body that is a stream cannot be sent twice.
    const replayable = init?.body === undefined || init.body === null || typeof init.body === 'string';
    const retries = replayable ? policy.maxRetries : 0;
    for (let retry = 0; ; retry += 1) {
      const headers = new Headers(init?.headers);
      if (retry > 0) headers.set('x-codecrew-retry', String(retry));
      let response: Response;
      try {
        response = await base(input, { ...init, headers });
      } catch (error) {
        if (init?.signal?.aborted || retry >= retries) throw error;
        await sleep(backoff(retry), init?.signal);
        continue;
      }
      if (!isRetryableStatus(response.status) || retry >= retries) return response;
      const hinted = retryAfterMs(response.headers);
      if (hinted !== undefined && hinted > maxRetryAfter) return response;
      await response.body?.cancel().catch(() => undefined);
      await sleep(hinted ?? backoff(retry), init?.signal);
    }
  };
}

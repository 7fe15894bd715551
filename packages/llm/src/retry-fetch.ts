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
  /** Hears every retry before its wait: a trace of what the model server did. */
  onRetry?: (retry: ModelRetry) => void;
}

/** One retry of a model request: what went wrong with the try before it, and how long it waits. */
export interface ModelRetry {
  /** 1 for the first retry, 2 for the second, ... */
  attempt: number;
  maxRetries: number;
  /** The HTTP status retried, or null when the try got no answer (a dropped connection, a connect timeout). */
  status: number | null;
  reason: 'rate_limited' | 'server_error' | 'timeout' | 'connection_failed';
  /** Why a try that got no answer failed. */
  error?: string;
  /** Milliseconds waited before the retry. */
  waitMs: number;
  /** The wait is what the server's `retry-after` asked for. */
  retryAfter: boolean;
}

/** 408 and 429 and 5xx: the server may answer the same request later. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function reasonOfStatus(status: number): ModelRetry['reason'] {
  if (status === 429) return 'rate_limited';
  return status === 408 ? 'timeout' : 'server_error';
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

/** The message of a failed fetch with its cause (undici puts the socket error there). */
function failureText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error && cause.message !== '' && cause.message !== error.message
    ? `${error.message}: ${cause.message}`
    : error.message;
}

/** A try that got no answer: a timeout (connecting, or waiting for the headers) or another failure. */
function reasonOfFailure(error: unknown): ModelRetry['reason'] {
  const names = [error, error instanceof Error ? error.cause : undefined].flatMap((e) =>
    e instanceof Error ? [e.name, String((e as { code?: unknown }).code ?? '')] : [],
  );
  return names.some((name) => /timeout/i.test(name)) ? 'timeout' : 'connection_failed';
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
 * Wraps fetch so that 408, 429 and 5xx answers and failed connections are retried,
 * waiting what `retry-after` says (when reasonable) or a short exponential
 * backoff. Every try is a separate HTTP request, marked `x-codecrew-retry: n`,
 * and `onRetry` hears about it before the wait.
 */
export function retryingFetch(policy: RetryPolicy): typeof fetch {
  const base = policy.fetch ?? globalThis.fetch;
  const baseDelay = policy.baseDelayMs ?? 500;
  const maxDelay = policy.maxDelayMs ?? 8000;
  const maxRetryAfter = policy.maxRetryAfterMs ?? 60_000;
  const backoff = (retry: number): number => Math.min(maxDelay, baseDelay * 2 ** retry) * (0.75 + Math.random() * 0.25);
  const notify = (retry: ModelRetry): void => {
    try {
      policy.onRetry?.(retry);
    } catch {
      // a listener's failure is not the request's
    }
  };

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
        const waitMs = backoff(retry);
        notify({
          attempt: retry + 1,
          maxRetries: retries,
          status: null,
          reason: reasonOfFailure(error),
          error: failureText(error),
          waitMs: Math.round(waitMs),
          retryAfter: false,
        });
        await sleep(waitMs, init?.signal);
        continue;
      }
      if (!isRetryableStatus(response.status) || retry >= retries) return response;
      const hinted = retryAfterMs(response.headers);
      if (hinted !== undefined && hinted > maxRetryAfter) return response;
      await response.body?.cancel().catch(() => undefined);
      const waitMs = hinted ?? backoff(retry);
      notify({
        attempt: retry + 1,
        maxRetries: retries,
        status: response.status,
        reason: reasonOfStatus(response.status),
        waitMs: Math.round(waitMs),
        retryAfter: hinted !== undefined,
      });
      await sleep(waitMs, init?.signal);
    }
  };
}

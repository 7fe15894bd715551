import { CodecrewError } from '@codecrew/core';

/** Socket errors of a connection that could not be made or was lost. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
/** SQLSTATEs of a server that is shutting down or not accepting connections (class 08: connection exceptions). */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);
/** What pg says when a connection ends under a query or cannot be had in time. */
const LOST_CONNECTION =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/i;

/** True when `error` says the database could not be reached, rather than that a statement was wrong. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (SOCKET_ERRORS.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')))
    return true;
  return error instanceof Error && LOST_CONNECTION.test(error.message);
}

/** A lost or refused connection as `STORE_UNAVAILABLE` (retryable); anything else unchanged. */
export function storeError(error: unknown): unknown {
  if (error instanceof CodecrewError || !isConnectionError(error)) return error;
  return new CodecrewError(
    'STORE_UNAVAILABLE',
    `the task store's database does not answer: ${(error as Error).message}`,
    {
      retryable: true,
      cause: error,
    },
  );
}

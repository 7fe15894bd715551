import { CodecrewError } from '@codecrew/core';

/** The error to end a job with once its signal is aborted: the abort's own reason (a timeout) or a cancellation. */
export function abortError(signal: AbortSignal, cause?: unknown): CodecrewError {
  const reason: unknown = signal.reason;
  if (reason instanceof CodecrewError) return reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
  return new CodecrewError('CANCELLED', `the job was cancelled: ${text}`, { cause: cause ?? reason });
}

/**
 * Runs `call` with a signal of its own that follows `parent`. HTTP clients add an abort listener to the
 * signal of every request and never take it off; on the job's long-lived signal those would pile up over
 * a long run (Node warns past ten), while a call's own signal goes with the call.
 */
export async function withCallSignal<T>(parent: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  try {
    return await call(controller.signal);
  } finally {
    parent.removeEventListener('abort', follow);
  }
}

import { CodecrewError } from '@codecrew/core';

/** The error to end a job with once its signal is aborted: the abort's own reason (a timeout) or a cancellation. */
export function abortError(signal: AbortSignal, cause?: unknown): CodecrewError {
  const reason: unknown = signal.reason;
  if (reason instanceof CodecrewError) return reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
  return new CodecrewError('CANCELLED', `the job was cancelled: ${text}`, { cause: cause ?? reason });
}

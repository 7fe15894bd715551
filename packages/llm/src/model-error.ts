import { CodecrewError, isCodecrewError } from '@codecrew/core';
import { contextOverflowOf } from './context-overflow.ts';

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/**
 * Turns whatever a model call threw into a CodecrewError: `SCRIPT_NO_MATCH`
 * when a scripted server had no rule, otherwise `MODEL_ERROR`, retryable for
 * rate limits, server errors, timeouts and dropped connections; a prompt
 * longer than the context window carries `details.reason:
 * "context_length_exceeded"`.
 */
export function modelErrorOf(error: unknown): CodecrewError {
  if (isCodecrewError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = field(error, 'status');
  const code = field(error, 'code');
  if (code === 'scripted_no_match') {
    return new CodecrewError('SCRIPT_NO_MATCH', message.replace(/^400 /, ''), { cause: error });
  }
  const overflow = contextOverflowOf(error);
  if (overflow !== undefined) {
    return new CodecrewError(
      'MODEL_ERROR',
      `model call failed: the prompt does not fit the model's context window (${message}); if the window is smaller than codecrew assumes, set models.catalog.<model>.contextWindow`,
      {
        cause: error,
        details: {
          status: 400,
          reason: 'context_length_exceeded',
          ...(overflow.contextWindow === undefined ? {} : { contextWindow: overflow.contextWindow }),
          ...(overflow.promptTokens === undefined ? {} : { promptTokens: overflow.promptTokens }),
        },
      },
    );
  }
  const transient =
    typeof status === 'number'
      ? status === 408 || status === 429 || status >= 500
      : error instanceof TypeError ||
        (error instanceof Error &&
          (error.name === 'TimeoutError' ||
            /terminated|ECONNRESET|socket|fetch failed|Connection error/i.test(message)));
  const options = { retryable: transient, cause: error };
  return new CodecrewError(
    'MODEL_ERROR',
    `model call failed: ${message}`,
    typeof status === 'number' ? { ...options, details: { status } } : options,
  );
}

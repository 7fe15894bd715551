import { CodecrewError } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson } from './codec.ts';

/** One message kept on a stream under its own subject, such as a job's result. */
export interface StoredKind<T> {
  /** What it is, for messages: "result". */
  what: string;
  stream: string;
  subject: string;
  schema: { safeParse(data: unknown): { success: true; data: T } | { success: false; error: unknown } };
  /** The job it belongs to, for messages. */
  jobId: string;
}

/** The last message stored on `kind.subject`, or null when there is none (or it is not valid). */
export async function getStored<T>(ctx: BusContext, kind: StoredKind<T>): Promise<T | null> {
  const stored = await ctx.jsm.streams.getMessage(kind.stream, { last_by_subj: kind.subject });
  if (stored === null) return null;
  const parsed = kind.schema.safeParse(decodeJson(stored.data));
  if (!parsed.success) {
    ctx.report(`ignoring an invalid ${kind.what} stored for job ${kind.jobId}`, parsed.error);
    return null;
  }
  return parsed.data;
}

/**
 * Resolves with the stored message at once, else the next one published.
 * Subscribes before looking in the stream so that one published in between
 * is not missed. `onTimeout` makes the error thrown after `timeoutMs`.
 */
export async function awaitStored<T>(
  ctx: BusContext,
  kind: StoredKind<T>,
  opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined; onTimeout: () => CodecrewError },
): Promise<T> {
  const { signal, timeoutMs } = opts;
  if (signal?.aborted) throw cancelled(kind, signal);
  let settle: ((outcome: T | CodecrewError) => void) | undefined;
  const outcome = new Promise<T | CodecrewError>((resolve) => {
    settle = resolve;
  });
  const sub = ctx.nc.subscribe(kind.subject, {
    callback: (error, msg) => {
      if (error !== null) {
        settle?.(
          new CodecrewError(
            'NATS_UNAVAILABLE',
            `lost the subscription for the ${kind.what} of job ${kind.jobId}: ${error.message}`,
            {
              retryable: true,
              cause: error,
            },
          ),
        );
        return;
      }
      const parsed = kind.schema.safeParse(decodeJson(msg.data));
      if (parsed.success) settle?.(parsed.data);
      else ctx.report(`ignoring an invalid ${kind.what} published for job ${kind.jobId}`, parsed.error);
    },
  });
  const onAbort = (): void => settle?.(cancelled(kind, signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => settle?.(opts.onTimeout()), timeoutMs);
  try {
    await ctx.nc.flush();
    const stored = await getStored(ctx, kind);
    if (stored !== null) settle?.(stored);
    const result = await outcome;
    if (result instanceof CodecrewError) throw result;
    return result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!ctx.nc.isClosed()) sub.unsubscribe();
  }
}

function cancelled(kind: StoredKind<unknown>, signal: AbortSignal | undefined): CodecrewError {
  const reason: unknown = signal?.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new CodecrewError('CANCELLED', `stopped waiting for the ${kind.what} of job ${kind.jobId}: ${why}`, {
    details: { jobId: kind.jobId },
  });
}

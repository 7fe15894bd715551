import { subscribe } from 'node:diagnostics_channel';

/** The header every model request of a job carries (see `codecrewHeaders`). */
const JOB_HEADER = 'x-codecrew-job';

/** Who waits for a request of a job to be written, by job id. */
const waiting = new Map<string, Set<() => void>>();
let listening = false;

/** The value of the job header in an undici request's headers (a flat name/value array, or a raw block of lines). */
function jobOf(headers: unknown): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === JOB_HEADER) return String(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof headers === 'string') {
    const line = headers.split('\r\n').find((l) => l.toLowerCase().startsWith(`${JOB_HEADER}:`));
    return line?.slice(JOB_HEADER.length + 1).trim();
  }
  return undefined;
}

function onRequestDone(message: unknown): void {
  const job = jobOf((message as { request?: { headers?: unknown } }).request?.headers);
  if (job === undefined) return;
  const waiters = waiting.get(job);
  if (waiters === undefined) return;
  waiting.delete(job);
  for (const done of waiters) done();
}

function listen(): void {
  if (listening) return;
  listening = true;
  // Node's fetch (undici) tells when a request's body has been written, or when the request failed.
  subscribe('undici:request:bodySent', onRequestDone);
  subscribe('undici:request:error', onRequestDone);
}

/**
 * Resolves once the next model request of job `jobId` has been written to
 * its connection (the body sent), when it fails, or after `maxWaitMs`,
 * whichever comes first; call it before the request starts. A worker counts
 * a job as waiting on its model from then: a model call just started still
 * needs the thread to connect and write, and work begun in between (another
 * job's setup) would hold the request back.
 */
export function whenRequestSent(jobId: string, maxWaitMs: number): Promise<void> {
  listen();
  return new Promise<void>((resolve) => {
    const waiters = waiting.get(jobId) ?? new Set<() => void>();
    waiting.set(jobId, waiters);
    const done = (): void => {
      clearTimeout(timer);
      waiters.delete(done);
      if (waiters.size === 0 && waiting.get(jobId) === waiters) waiting.delete(jobId);
      resolve();
    };
    const timer = setTimeout(done, maxWaitMs);
    timer.unref();
    waiters.add(done);
  });
}

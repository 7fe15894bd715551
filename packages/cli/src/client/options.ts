import { ApiClient } from './api-client.ts';

/** The server when neither --server nor CODECREW_SERVER names one. */
export const DEFAULT_SERVER = 'http://127.0.0.1:7420';

/** Options every client command takes. */
export const CLIENT_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
} as const;

/** A client for `--server` (else CODECREW_SERVER, else the local default) with `--token` (else CODECREW_TOKEN). */
export function clientFrom(values: { server?: string | undefined; token?: string | undefined }): ApiClient {
  const server = values.server ?? (process.env['CODECREW_SERVER'] || DEFAULT_SERVER);
  const token = values.token ?? (process.env['CODECREW_TOKEN'] || undefined);
  return new ApiClient({ server, ...(token === undefined ? {} : { token }) });
}

/** The exit code of an ended task's status: 0 approved, 130 cancelled, 1 otherwise. */
export function exitCodeOf(status: string | null): number {
  if (status === 'approved') return 0;
  if (status === 'cancelled') return 130;
  return 1;
}

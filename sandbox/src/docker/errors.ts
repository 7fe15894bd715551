import { CodecrewError } from '@codecrew/core';

interface DockerErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
}

const CONNECTION_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** True for errors that mean no Docker daemon answered. */
export function isDaemonUnreachable(error: unknown): boolean {
  const e = error as DockerErrorLike | null;
  return typeof e?.code === 'string' && CONNECTION_CODES.has(e.code);
}

/** The HTTP status of a Docker API error, if it has one. */
export function dockerStatus(error: unknown): number | undefined {
  const status = (error as DockerErrorLike | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The error to raise when the Docker daemon does not answer. */
export function dockerUnavailable(cause: unknown): CodecrewError {
  const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  return new CodecrewError(
    'DOCKER_UNAVAILABLE',
    `no Docker daemon answers at ${where}; start it: npm run setup (or start dockerd yourself)`,
    { retryable: true, cause, details: { dockerHost: where } },
  );
}

/** The error to raise when the sandbox image is not built. */
export function imageMissing(image: string, cause?: unknown): CodecrewError {
  return new CodecrewError(
    'SANDBOX_IMAGE_MISSING',
    `the sandbox image ${image} is not built; build it: npm run setup (or codecrew sandbox build)`,
    { cause, details: { image } },
  );
}

/** Wraps any other Docker failure as SANDBOX_FAILED, keeping daemon-down errors distinct. */
export function sandboxFailed(what: string, cause: unknown): CodecrewError {
  if (cause instanceof CodecrewError) return cause;
  if (isDaemonUnreachable(cause)) return dockerUnavailable(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  return new CodecrewError('SANDBOX_FAILED', `${what}: ${message}`, { cause, retryable: true });
}

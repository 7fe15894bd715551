import { CodecrewError } from '@codecrew/core';
import type { TaskOutcome } from '@codecrew/orchestrator';

/**
 * Error codes that say the infrastructure failed, not the patch: a sandbox that did not start, a
 * model endpoint that did not answer, NATS, a repository that could not be cloned. An instance that
 * ends with one is not judged; `--retry-errors` runs it again.
 */
export const INFRASTRUCTURE_CODES: ReadonlySet<string> = new Set([
  'NATS_UNAVAILABLE',
  'NATS_START_FAILED',
  'DOCKER_UNAVAILABLE',
  'SANDBOX_IMAGE_MISSING',
  'SANDBOX_FAILED',
  'SANDBOX_UNAVAILABLE',
  'MODEL_ERROR',
  'SCRIPT_INVALID',
  'REPO_CLONE_FAILED',
  'REPO_FETCH_FAILED',
  'GIT_FAILED',
  'INTERNAL',
]);

/** The infrastructure error of a finished task (its own or one of its jobs'), or null. */
export function infrastructureErrorOf(outcome: TaskOutcome): { code: string; message: string } | null {
  const errors = [outcome.error, ...outcome.report.jobs.map((job) => job.error)];
  for (const error of errors) {
    if (error !== null && INFRASTRUCTURE_CODES.has(error.code)) return { code: error.code, message: error.message };
  }
  return null;
}

/** A thrown error as a code and message; anything that is not a CodecrewError is INTERNAL. */
export function errorData(error: unknown): { code: string; message: string } {
  if (error instanceof CodecrewError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

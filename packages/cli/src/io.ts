import { CodecrewError, type ErrorCode } from '@codecrew/core';
import type { Io } from './process-io.ts';

export { processIo, type Io } from './process-io.ts';

/** Errors that mean the user's input is wrong: exit code 2. */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set([
  'SPEC_INVALID',
  'YAML_INVALID',
  'CONFIG_INVALID',
  'FILE_NOT_FOUND',
  'REPO_INVALID',
  'REPO_CLONE_FAILED',
  'REPO_FETCH_FAILED',
  'SCRIPT_INVALID',
  'USAGE_INVALID',
  'MODEL_PRICE_UNKNOWN',
]);

/** Prints an error for people and returns the exit code it deserves. */
export function reportError(io: Io, error: unknown): number {
  if (error instanceof CodecrewError) {
    io.err(`codecrew: error [${error.code}]: ${error.message}`);
    return BAD_INPUT.has(error.code) ? 2 : 1;
  }
  io.err(`codecrew: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}

/** A usage error: exit code 2. */
export function usageError(message: string): CodecrewError {
  return new CodecrewError('USAGE_INVALID', `${message} (see codecrew --help)`);
}

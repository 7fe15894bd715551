import { CodecrewError, type ErrorCode } from '@codecrew/core';
import type { ErrorBody } from '../api/schemas.ts';

/** The HTTP status of each error code the API answers with; any other code is a 500. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  SPEC_INVALID: 400,
  YAML_INVALID: 400,
  REQUEST_INVALID: 400,
  USAGE_INVALID: 400,
  CURSOR_INVALID: 400,
  MODEL_PRICE_UNKNOWN: 400,
  SCRIPT_INVALID: 400,
  REPO_INVALID: 400,
  REPO_CLONE_FAILED: 400,
  REPO_FETCH_FAILED: 400,
  FILE_NOT_FOUND: 400,
  AUTH_REQUIRED: 401,
  REPO_NOT_ALLOWED: 403,
  TASK_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  TASK_ENDED: 409,
  TASK_NOT_ENDED: 409,
  TASK_NOT_AWAITING_APPROVAL: 409,
  RESULT_NOT_READY: 409,
  BRANCH_MOVED: 409,
  NO_RESULT_BRANCH: 409,
  NOTHING_TO_REVISE: 409,
  BODY_TOO_LARGE: 413,
  PUSH_FAILED: 502,
  MEDIA_TYPE_UNSUPPORTED: 415,
  STORE_UNAVAILABLE: 503,
  NATS_UNAVAILABLE: 503,
};

/** The HTTP status an error code is answered with. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

/** The error body of the API for anything thrown; unexpected errors say no more than that they happened. */
export function errorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof CodecrewError) {
    const status = httpStatusOf(error.code);
    const message = status === 500 ? `internal error (${error.code}); the server log has the details` : error.message;
    return {
      status,
      body: { error: { code: error.code, message, details: status === 500 ? {} : (error.details ?? {}) } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error; the server log has the details', details: {} } },
  };
}

/** Shorthand for the errors the routes raise. */
export function apiError(code: ErrorCode, message: string, details?: Record<string, unknown>): CodecrewError {
  return new CodecrewError(code, message, details === undefined ? {} : { details });
}

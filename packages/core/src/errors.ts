/**
 * Every error codecrew raises carries one of these stable codes. Codes are a
 * public contract: scripts and the HTTP API match on them, so add, never rename.
 */
export const ERROR_CODES = [
  'SPEC_INVALID',
  'YAML_INVALID',
  'USAGE_INVALID',
  'CONFIG_INVALID',
  'FILE_NOT_FOUND',
  'NATS_UNAVAILABLE',
  'NATS_START_FAILED',
  'DOCKER_UNAVAILABLE',
  'SANDBOX_IMAGE_MISSING',
  'SANDBOX_FAILED',
  'SANDBOX_TIMEOUT',
  'SANDBOX_UNAVAILABLE',
  'PATH_OUTSIDE_WORKSPACE',
  'TOOL_INVALID_ARGS',
  'TOOL_FAILED',
  'TOOL_UNKNOWN',
  'MODEL_ERROR',
  'SCRIPT_INVALID',
  'SCRIPT_NO_MATCH',
  'JOB_FAILED',
  'JOB_TIMEOUT',
  'PLAN_INVALID',
  'MERGE_CONFLICT',
  'GIT_FAILED',
  'REPO_INVALID',
  'BUDGET_EXHAUSTED',
  'AGENT_STUCK',
  'AGENT_MAX_STEPS',
  'AGENT_NO_FINISH',
  'CANCELLED',
  'INTERNAL',
  'ARTIFACT_NOT_FOUND',
  'ARTIFACT_INVALID',
  'MODEL_PRICE_UNKNOWN',
  'TASK_NOT_FOUND',
  'CURSOR_INVALID',
  'STORE_UNAVAILABLE',
  'REQUEST_INVALID',
  'AUTH_REQUIRED',
  'REPO_NOT_ALLOWED',
  'ROUTE_NOT_FOUND',
  'JOB_NOT_FOUND',
  'TASK_ENDED',
  'TASK_NOT_ENDED',
  'RESULT_NOT_READY',
  'BODY_TOO_LARGE',
  'MEDIA_TYPE_UNSUPPORTED',
  'SERVER_UNAVAILABLE',
  'REPO_CLONE_FAILED',
  'REPO_FETCH_FAILED',
  'PLAN_REJECTED',
  'TASK_NOT_AWAITING_APPROVAL',
  'BRANCH_MOVED',
  'NO_RESULT_BRANCH',
  'NOTHING_TO_REVISE',
  'PUSH_FAILED',
  'PULL_REQUEST_FAILED',
  'WEBHOOK_DELIVERY_NOT_FOUND',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Plain-data form of an error, the shape errors travel in over NATS and HTTP. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/**
 * The one error class of codecrew: a stable `code`, a message that says what to
 * do, whether retrying may help, and optional structured details.
 *
 * @example
 * throw new CodecrewError('SANDBOX_TIMEOUT', 'command exceeded 60s; raise sandbox.timeout', { retryable: true });
 */
export class CodecrewError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodecrewError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  /** The plain-data form, for sending over NATS or HTTP. */
  toData(): ErrorData {
    const data: ErrorData = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.details !== undefined) data.details = this.details;
    return data;
  }

  /** Rebuilds an error received as plain data. */
  static fromData(data: ErrorData): CodecrewError {
    const opts: { retryable: boolean; details?: Record<string, unknown> } = { retryable: data.retryable };
    if (data.details !== undefined) opts.details = data.details;
    return new CodecrewError(data.code, data.message, opts);
  }
}

/** True when `value` is a CodecrewError, optionally with the given code. */
export function isCodecrewError(value: unknown, code?: ErrorCode): value is CodecrewError {
  return value instanceof CodecrewError && (code === undefined || value.code === code);
}

/** Converts anything thrown into plain error data, keeping codes where known. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof CodecrewError) return error.toData();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, retryable: false };
}

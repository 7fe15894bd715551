import type { z } from 'zod';
import { CodecrewError, type ErrorCode } from '@codecrew/core';

/** One problem with a request: where (a field path like `spec.repo.path`, `[0]` for list items) and what. */
export interface RequestIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** A zod issue path as the task-file errors write it: `spec.models.coder`, `spec.items[0]`, `(root)`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** The problems of a failed zod parse, unknown fields named. */
export function issuesOf(error: z.ZodError): RequestIssue[] {
  return error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`
        : issue.message,
  }));
}

/** Parses `value` with `schema`, or throws `code` (REQUEST_INVALID) listing every problem of `what`. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  code: ErrorCode = 'REQUEST_INVALID',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  throw new CodecrewError(
    code,
    `${what} is not valid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { details: { issues } },
  );
}

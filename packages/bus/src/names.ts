import { CodecrewError } from '@codecrew/core';
import type { Role } from '@codecrew/core';

/** Every subject, stream, consumer and bucket name of one bus, derived from its prefix. */
export interface BusNames {
  prefix: string;
  jobsStream: string;
  resultsStream: string;
  eventsStream: string;
  artifactsBucket: string;
  workersBucket: string;
  steeringStream: string;
  steeringBucket: string;
  jobs(role: Role): string;
  jobsConsumer(role: Role): string;
  result(taskId: string, jobId: string): string;
  events(taskId: string | '*'): string;
  event(taskId: string, kind: string): string;
  control(taskId: string | '*'): string;
  steering(taskId: string): string;
}

const PREFIX_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** Returns the names for `prefix`; throws when the prefix is not a single lowercase subject token. */
export function busNames(prefix: string): BusNames {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new CodecrewError(
      'CONFIG_INVALID',
      `bus prefix "${prefix}" is invalid; use lowercase letters, digits, _ and -, starting with a letter`,
    );
  }
  const upper = prefix.toUpperCase();
  return {
    prefix,
    jobsStream: `${upper}_JOBS`,
    resultsStream: `${upper}_RESULTS`,
    eventsStream: `${upper}_EVENTS`,
    artifactsBucket: `${prefix}-artifacts`,
    workersBucket: `${prefix}-workers`,
    steeringStream: `${upper}_STEERING`,
    steeringBucket: `${prefix}-steering`,
    jobs: (role) => `${prefix}.jobs.${role}`,
    jobsConsumer: (role) => `${prefix}-${role}`,
    result: (taskId, jobId) => `${prefix}.results.${taskId}.${jobId}`,
    // Trace kinds contain dots (`task.started`), so a task's events span several tokens.
    events: (taskId) => (taskId === '*' ? `${prefix}.events.>` : `${prefix}.events.${taskId}.>`),
    event: (taskId, kind) => `${prefix}.events.${taskId}.${kind}`,
    control: (taskId) => `${prefix}.control.${taskId}`,
    steering: (taskId) => `${prefix}.steering.${taskId}`,
  };
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Checks that an id is usable as one subject token (no dots, spaces or wildcards). */
export function assertToken(what: string, value: string): void {
  if (!TOKEN_PATTERN.test(value)) {
    throw new CodecrewError('INTERNAL', `${what} "${value}" must contain only letters, digits, _ and -`);
  }
}

import type { ExecResult } from './types.ts';

/** The exit code of a command killed with SIGKILL (by its time limit or the OOM killer). */
export const KILLED_EXIT = 137;

/** What every driver knows once a command has ended. */
export interface FinishedCommand {
  exitCode: number | null;
  /** The host gave up on the command at its limit. */
  hostTimedOut: boolean;
  durationMs: number;
  timeoutMs: number;
  /** Whether the command was killed some other way than exit code 137 shows (e.g. its runner vanished). */
  killed?: boolean;
  stdout: { text(): string; truncated: boolean };
  stderr: { text(): string; truncated: boolean };
  /** Asked only for a kill that was not the time limit: did the OOM killer do it? */
  oomKilled: () => Promise<boolean>;
}

/**
 * The one rule every driver reports by: a command killed at or past its limit
 * timed out; any other kill is checked against the OOM counter.
 */
export async function settleExec(done: FinishedCommand): Promise<ExecResult> {
  const killed = done.exitCode === KILLED_EXIT || done.killed === true;
  const timedOut = done.hostTimedOut || (done.exitCode === KILLED_EXIT && done.durationMs >= done.timeoutMs);
  return {
    exitCode: done.exitCode,
    stdout: done.stdout.text(),
    stderr: done.stderr.text(),
    truncated: done.stdout.truncated || done.stderr.truncated,
    timedOut,
    oomKilled: killed && !timedOut ? await done.oomKilled() : false,
    durationMs: done.durationMs,
  };
}

import type { Socket } from 'node:net';
import type { ExecOptions, ExecResult } from '../types.ts';
import { HOST_GRACE_MS, cancelled, prepareExec, timeoutArg } from './exec.ts';
import { settleExec } from '../exec-result.ts';
import type { ExecDefaults } from './exec.ts';
import { OutputCap } from './output-cap.ts';
import { RunnerUnavailable, encodable } from './runner-client.ts';
import type { RunnerClient } from './runner-client.ts';

const CANNOT_RUN = 126;

/**
 * Whether the memory cgroup killed a process during a command. Gets the
 * counter the runner read, or null when it has none (then the sandbox asks Docker).
 */
export type OomCheck = (counter: number | null) => Promise<boolean>;

/**
 * Runs `command` through the container's runner, with the same semantics as
 * {@link runExec}. Resolves to null when there is no runner to talk to, so the
 * caller falls back to `docker exec`.
 */
export async function runnerExec(
  client: RunnerClient,
  command: string,
  options: ExecOptions,
  defaults: ExecDefaults,
  oomKilled: OomCheck,
): Promise<ExecResult | null> {
  const prepared = prepareExec(options, defaults);
  const request = {
    command,
    cwd: prepared.workingDir,
    env: options.env ?? {},
    timeout: timeoutArg(prepared.timeoutMs),
    mark: prepared.mark,
  };
  // A NUL byte cannot be framed; docker exec reports such a command its own way.
  if (!encodable(request)) return null;
  const started = Date.now();
  let socket: Socket;
  try {
    socket = await client.open();
  } catch (error) {
    if (error instanceof RunnerUnavailable) return null;
    throw error;
  }
  const stdout = new OutputCap(prepared.maxOutputBytes);
  const stderr = new OutputCap(prepared.maxOutputBytes);
  const outcome = await client.run(
    socket,
    request,
    { stdout, stderr },
    prepared.timeoutMs + HOST_GRACE_MS,
    options.signal,
  );
  const durationMs = Date.now() - started;
  if (outcome.aborted) throw cancelled();
  if (outcome.error !== undefined) {
    // As with `docker exec`: a command that cannot start (e.g. its cwd is missing) exits 126 and says why.
    return {
      exitCode: CANNOT_RUN,
      stdout: '',
      stderr: `could not start the command: ${outcome.error}\n`,
      truncated: false,
      timedOut: false,
      oomKilled: false,
      durationMs,
    };
  }
  return settleExec({
    exitCode: outcome.exitCode,
    hostTimedOut: outcome.hostTimedOut,
    durationMs,
    timeoutMs: prepared.timeoutMs,
    // A runner that vanished mid-command was most likely killed with it by the OOM killer.
    killed: outcome.lost,
    stdout,
    stderr,
    oomKilled: () => oomKilled(outcome.oomKills),
  });
}

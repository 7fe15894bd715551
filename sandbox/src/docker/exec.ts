import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { CodecrewError } from '@codecrew/core';
import type { ExecOptions, ExecResult } from '../types.ts';
import { WORKSPACE_MOUNT } from '../types.ts';
import { SANDBOX_USER, envList } from './container-spec.ts';
import { sandboxFailed } from './errors.ts';
import { OutputCap } from './output-cap.ts';
import { settleExec } from '../exec-result.ts';

/** Extra time the host waits beyond a command's limit before it gives up on the stream. */
export const HOST_GRACE_MS = 3000;
const EXEC_MARK = 'CODECREW_EXEC';
const EXIT_POLL_MS = 1000;
const DRAIN_MS = 500;

/** Limits applied when a call does not set its own. */
export interface ExecDefaults {
  timeoutMs: number;
  maxOutputBytes: number;
}

/** The container directory for a workspace-relative cwd; refuses anything that leaves the workspace. */
export function containerCwd(cwd: string | undefined): string {
  if (cwd === undefined || cwd === '' || cwd === '.') return WORKSPACE_MOUNT;
  const normal = posix.normalize(cwd);
  if (posix.isAbsolute(cwd) || normal === '..' || normal.startsWith('../')) {
    throw new CodecrewError('PATH_OUTSIDE_WORKSPACE', `cwd '${cwd}' leaves the workspace; give a path relative to it`);
  }
  return posix.join(WORKSPACE_MOUNT, normal);
}

function extraEnv(env: Record<string, string> | undefined): string[] {
  if (env === undefined) return [];
  for (const key of Object.keys(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new CodecrewError('TOOL_INVALID_ARGS', `environment variable name '${key}' is not valid`);
    }
  }
  return envList(env);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a short helper command (no limits, small output) and returns its exit code and stdout. */
export async function quickExec(
  docker: Dockerode,
  container: Dockerode.Container,
  cmd: string[],
  timeoutMs = 10_000,
): Promise<{ exitCode: number | null; stdout: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: SANDBOX_USER });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  const out = new OutputCap(64 * 1024);
  docker.modem.demuxStream(stream, out, new OutputCap(1024));
  await waitForEnd(stream, timeoutMs);
  return { exitCode: await exitCodeOf(exec), stdout: out.text() };
}

/** Resolves when the stream ends or closes, or after `timeoutMs` (then it is destroyed). */
function waitForEnd(stream: Duplex, timeoutMs: number): Promise<'ended' | 'timeout'> {
  return new Promise((resolve) => {
    const done = (how: 'ended' | 'timeout'): void => {
      clearTimeout(timer);
      if (how === 'timeout') stream.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    stream.once('end', () => done('ended'));
    stream.once('close', () => done('ended'));
    stream.once('error', () => done('ended'));
  });
}

/**
 * Like {@link waitForEnd}, but also notices a command that exited while its
 * stream stays open (a background process still holds stdout): then the
 * stream gets a moment to drain and is detached, leaving that process running.
 */
async function waitForCommand(exec: Dockerode.Exec, stream: Duplex, timeoutMs: number): Promise<'ended' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  const ended = waitForEnd(stream, timeoutMs);
  for (;;) {
    const tick = await Promise.race([ended, sleep(EXIT_POLL_MS).then(() => 'tick' as const)]);
    if (tick !== 'tick') return tick;
    if (Date.now() >= deadline) return ended;
    const info = await exec.inspect().catch(() => undefined);
    if (info?.Running === false) {
      const drained = await Promise.race([ended, sleep(DRAIN_MS).then(() => 'tick' as const)]);
      if (drained !== 'tick') return drained;
      stream.destroy();
      return 'ended';
    }
  }
}

/**
 * The exit code of a finished exec. Docker may still report it as running for a
 * moment after its stream ended, so this polls briefly instead of trusting the first answer.
 */
async function exitCodeOf(exec: Dockerode.Exec, attempts = 40): Promise<number | null> {
  for (let i = 0; i < attempts; i++) {
    const info = await exec.inspect();
    if (info.Running === false && typeof info.ExitCode === 'number') return info.ExitCode;
    await sleep(25 * Math.min(i + 1, 8));
  }
  return null;
}

/** Kills every process of one command (they all carry its mark in their environment). */
async function killMarked(docker: Dockerode, container: Dockerode.Container, mark: string): Promise<void> {
  const script = `for d in /proc/[0-9]*; do if grep -qzx '${EXEC_MARK}=${mark}' "$d/environ" 2>/dev/null; then kill -KILL "\${d#/proc/}" 2>/dev/null; fi; done; true`;
  await quickExec(docker, container, ['bash', '-c', script], 5000).catch(() => undefined);
}

/** A command's limits and surroundings, checked; one mark per command tags all its processes. */
export interface PreparedExec {
  timeoutMs: number;
  maxOutputBytes: number;
  workingDir: string;
  env: string[];
  mark: string;
}

/** Checks a command's options and fills in the defaults; throws CANCELLED when already aborted. */
export function prepareExec(options: ExecOptions, defaults: ExecDefaults): PreparedExec {
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const maxOutputBytes = options.maxOutputBytes ?? defaults.maxOutputBytes;
  const workingDir = containerCwd(options.cwd);
  const env = extraEnv(options.env);
  if (options.signal?.aborted === true) throw cancelled();
  return { timeoutMs, maxOutputBytes, workingDir, env, mark: randomUUID() };
}

/** `timeout` takes seconds. */
export function timeoutArg(timeoutMs: number): string {
  return (timeoutMs / 1000).toFixed(3);
}

/** Runs `command` with bash as the sandbox user, enforcing the time limit inside and on the host. */
export async function runExec(
  docker: Dockerode,
  container: Dockerode.Container,
  command: string,
  options: ExecOptions,
  defaults: ExecDefaults,
  readOomKills: () => Promise<boolean>,
): Promise<ExecResult> {
  const { timeoutMs, maxOutputBytes, workingDir, env, mark } = prepareExec(options, defaults);
  const started = Date.now();
  const stdout = new OutputCap(maxOutputBytes);
  const stderr = new OutputCap(maxOutputBytes);

  let exec: Dockerode.Exec;
  let stream: Duplex;
  try {
    exec = await container.exec({
      Cmd: ['timeout', '-s', 'KILL', timeoutArg(timeoutMs), 'bash', '-c', command],
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: SANDBOX_USER,
      WorkingDir: workingDir,
      Env: [...env, `${EXEC_MARK}=${mark}`],
    });
    stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  } catch (error) {
    throw sandboxFailed(
      `could not start a command in sandbox ${container.id.slice(0, 12)} (is it still running?)`,
      error,
    );
  }
  docker.modem.demuxStream(stream, stdout, stderr);

  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    stream.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const how = await waitForCommand(exec, stream, timeoutMs + HOST_GRACE_MS);
  options.signal?.removeEventListener('abort', onAbort);

  const hostTimedOut = how === 'timeout';
  if (hostTimedOut || aborted) await killMarked(docker, container, mark);
  const exitCode = await exitCodeOf(exec, hostTimedOut || aborted ? 4 : 40).catch(() => null);
  const durationMs = Date.now() - started;
  if (aborted) throw cancelled();

  return settleExec({ exitCode, hostTimedOut, durationMs, timeoutMs, stdout, stderr, oomKilled: readOomKills });
}

/** The error an aborted command raises. */
export function cancelled(): CodecrewError {
  return new CodecrewError('CANCELLED', 'the command was cancelled; its processes were killed');
}

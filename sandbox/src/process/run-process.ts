import { spawnOnThread } from './spawn-thread.ts';

/** How to run one process with {@link runProcess}. */
export interface RunProcessOptions {
  cwd: string;
  /** The whole environment of the process; default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Variables added to the environment (`env` or this process's). */
  extraEnv?: Record<string, string>;
  /** Bytes written to the process's stdin, which is then closed. */
  input?: string | Uint8Array;
  /** The most stdout kept before the process is killed; default 1 GiB. */
  maxBuffer?: number;
  /** Run as this user and group (needs root); default: this process's. */
  user?: { uid: number; gid: number };
}

/** How a process ended and what it printed. */
export interface ProcessOutput {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** A process that could not be started (`code` ENOENT: no such program) or printed more than `maxBuffer`. */
export class ProcessStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ProcessStartError';
  }
}

const DEFAULT_MAX_BUFFER = 1024 * 1024 * 1024;

/**
 * Runs a program (no shell) to its end and collects its output. Never rejects
 * for a non-zero exit: read `code`. Rejects with ProcessStartError when the
 * program cannot be started or prints more than `maxBuffer`.
 *
 * The process is started from a thread of its own (`spawn-thread.ts`):
 * starting a process blocks the starting thread until the child has called
 * exec, tens of milliseconds on a busy machine, which on the main thread would
 * hold up every request, timer and reply of this process.
 * @example const { code, stdout } = await runProcess('git', ['status'], { cwd: repo });
 */
export async function runProcess(file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
  const base = options.env ?? process.env;
  const answer = await spawnOnThread({
    file,
    args,
    cwd: options.cwd,
    env: options.extraEnv === undefined ? { ...base } : { ...base, ...options.extraEnv },
    input: options.input,
    maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER,
    user: options.user,
  });
  if ('error' in answer) throw new ProcessStartError(answer.error.message, answer.error.code);
  return {
    code: answer.code,
    signal: answer.signal,
    stdout: Buffer.from(answer.stdout),
    stderr: Buffer.from(answer.stderr),
  };
}

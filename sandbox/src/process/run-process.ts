import { spawn } from 'node:child_process';

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
 * @example const { code, stdout } = await runProcess('git', ['status'], { cwd: repo });
 */
export function runProcess(file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const base = options.env ?? process.env;
  const env = options.extraEnv === undefined ? base : { ...base, ...options.extraEnv };
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env, stdio: 'pipe', ...options.user });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let overflow: ProcessStartError | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBuffer) out.push(chunk);
      else if (overflow === null) {
        overflow = new ProcessStartError(`output exceeded ${maxBuffer} bytes`, 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(new ProcessStartError(error.message, error.code)));
    child.on('close', (code, signal) => {
      if (overflow !== null) reject(overflow);
      else resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
    // A process that exits without reading its input closes the pipe: not an error of ours.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? null);
  });
}

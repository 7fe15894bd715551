import { spawn } from 'node:child_process';
import { Helper } from '../helper.ts';

/** How to run one process with {@link runProcess}. */
export interface RunProcessOptions {
  cwd: string;
  /** The whole environment of the process; default: this process's, with `extraEnv`. */
  env?: NodeJS.ProcessEnv;
  /** Variables added to this process's environment (cheaper than a whole `env`: nothing is copied here). */
  extraEnv?: Record<string, string>;
  /**
   * Bytes written to the process's stdin, which is then closed. A promise lets
   * the process start now and read its input once it is known (a process
   * started ahead of the moment it is needed); if the promise rejects, the
   * process is killed before it reads anything and `runProcess` rejects with
   * the same reason.
   */
  input?: string | Uint8Array | Promise<string | Uint8Array>;
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

/** A process that could not be started (ENOENT: no such program) or printed more than `maxBuffer`. */
export class ProcessStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ProcessStartError';
  }
}

interface Reply {
  id: number;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  stdout?: Uint8Array;
  stderr?: Uint8Array;
  error?: { message: string; code?: string };
}

const DEFAULT_MAX_BUFFER = 1024 * 1024 * 1024;

/**
 * Runs a process from a helper process. Starting a process blocks the
 * thread that starts it while the kernel copies the starting process's page
 * tables: about 30 ms from a crew's process of a few hundred megabytes on a
 * small virtual machine, 15 ms from a small helper. Started here, a
 * process-heavy moment (eight coders diffing at once) would stall everything
 * else: model replies, NATS messages, other jobs. If the helper dies first,
 * the process is run from this thread instead.
 */
function runOnHelper(thread: Helper<Reply>, file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
  const deferred = options.input instanceof Promise ? options.input : null;
  const input = deferred === null ? asBytes(options.input as string | Uint8Array | undefined) : undefined;
  let id = -1;
  const output = new Promise<ProcessOutput>((resolve, reject) => {
    // The helper's environment is this process's as it was when the helper started: the whole one travels.
    const env = options.env ?? { ...process.env, ...options.extraEnv };
    const message = { file, args, cwd: options.cwd, env, input, deferred: deferred !== null, maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER, user: options.user };
    id = thread.request(message, (reply) => {
      if (reply === null) runHere(file, args, options).then(resolve, reject);
      else if (reply.error) reject(new ProcessStartError(reply.error.message, reply.error.code));
      else resolve({ code: reply.code ?? null, signal: reply.signal ?? null, stdout: toBuffer(reply.stdout), stderr: toBuffer(reply.stderr) });
    });
  });
  if (deferred === null) return output;
  return withDeferredInput(output, deferred, (bytes) => thread.tell({ id, feed: bytes }), () => thread.tell({ id, cancel: true }));
}

const asBytes = (input: string | Uint8Array | undefined): Uint8Array | undefined => (typeof input === 'string' ? Buffer.from(input) : input);

/**
 * Feeds a process its input once `deferred` resolves, or has it killed when
 * `deferred` rejects; then the output promise rejects with that reason.
 */
function withDeferredInput(
  output: Promise<ProcessOutput>,
  deferred: Promise<string | Uint8Array>,
  feed: (bytes: Uint8Array) => void,
  cancel: () => void,
): Promise<ProcessOutput> {
  let cancelled: { reason: unknown } | null = null;
  deferred.then(
    (input) => feed(asBytes(input) ?? new Uint8Array()),
    (reason: unknown) => {
      cancelled = { reason };
      cancel();
    },
  );
  return output.then(
    (result) => {
      if (cancelled !== null) throw cancelled.reason;
      return result;
    },
    (error: unknown) => {
      throw cancelled !== null ? cancelled.reason : error;
    },
  );
}

const toBuffer = (bytes: Uint8Array | undefined): Buffer => (bytes === undefined ? Buffer.alloc(0) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

const HELPERS = 2;
const helpers: Array<Helper<Reply>> = [];

/**
 * Starts the helper processes now rather than at the first process, which
 * would otherwise wait for them; for long-lived processes that will run many.
 */
export function startProcessThreads(): void {
  pickHelper();
}

function pickHelper(): Helper<Reply> | null {
  if (process.env.CODECREW_PROCESS_THREADS === '0') return null;
  while (helpers.length < HELPERS) {
    try {
      helpers.push(new Helper<Reply>(new URL('./process-helper.mjs', import.meta.url), { kind: 'process' }));
    } catch {
      return null;
    }
  }
  const healthy = helpers.filter((helper) => !helper.broken);
  if (healthy.length === 0) return null;
  return healthy.reduce((best, helper) => (helper.load < best.load ? helper : best));
}

/**
 * Runs a program (no shell) to its end and collects its output, starting it
 * from a small helper process so that no thread here blocks on process start;
 * falls back to starting it here if no helper can run. Never rejects for a
 * non-zero exit: read `code`. Rejects with ProcessStartError when the program
 * cannot be started.
 */
export function runProcess(file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
  const helper = pickHelper();
  if (helper !== null) return runOnHelper(helper, file, args, options);
  return runHere(file, args, options);
}

function runHere(file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
  const deferred = options.input instanceof Promise ? options.input : null;
  let feed: (bytes: Uint8Array) => void = () => undefined;
  let cancel: () => void = () => undefined;
  const output = new Promise<ProcessOutput>((resolve, reject) => {
    const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const env = options.env ?? (options.extraEnv ? { ...process.env, ...options.extraEnv } : process.env);
    const child = spawn(file, args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], ...options.user });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let failed: Error | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBuffer) {
        failed = new ProcessStartError(`output exceeded ${maxBuffer} bytes`, 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
        child.kill('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(new ProcessStartError(error.message, error.code)));
    child.on('close', (code, signal) => {
      if (failed) reject(failed);
      else resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
    child.stdin.on('error', () => undefined);
    if (deferred === null) {
      child.stdin.end(asBytes(options.input as string | Uint8Array | undefined) ?? null);
      return;
    }
    feed = (bytes) => child.stdin.end(bytes);
    cancel = () => child.kill('SIGKILL');
  });
  if (deferred === null) return output;
  return withDeferredInput(output, deferred, (bytes) => feed(bytes), () => cancel());
}

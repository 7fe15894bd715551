import { spawn } from 'node:child_process';
import { SHARE_ENV, Worker } from 'node:worker_threads';

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

type Pending = { file: string; args: string[]; options: RunProcessOptions; resolve(output: ProcessOutput): void; reject(error: Error): void };

const DEFAULT_MAX_BUFFER = 1024 * 1024 * 1024;

/**
 * A thread that starts processes. Starting a process blocks the starting
 * thread (for about 7 ms on a small virtual machine), so a process-heavy
 * moment (eight coders diffing at once) would stall everything else on the
 * main thread: model replies, NATS messages, other jobs.
 */
class ProcessThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  broken = false;

  constructor() {
    // The thread runs plain JavaScript: no loader flags (a TypeScript loader would slow its start).
    this.worker = new Worker(new URL('./process-thread.mjs', import.meta.url), { execArgv: [], env: SHARE_ENV });
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    // After the listeners: adding a 'message' listener refs the thread's port again.
    this.worker.unref();
  }

  get load(): number {
    return this.pending.size;
  }

  run(file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
    const id = this.next++;
    const deferred = options.input instanceof Promise ? options.input : null;
    const input = deferred === null ? asBytes(options.input as string | Uint8Array | undefined) : undefined;
    const output = new Promise<ProcessOutput>((resolve, reject) => {
      this.pending.set(id, { file, args, options, resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      // The thread shares this process's environment: only what differs travels.
      this.worker.postMessage({ id, file, args, cwd: options.cwd, env: options.env, extraEnv: options.extraEnv, input, deferred: deferred !== null, maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER, user: options.user });
    });
    if (deferred === null) return output;
    return withDeferredInput(output, deferred, (bytes) => this.worker.postMessage({ id, feed: bytes }), () => this.worker.postMessage({ id, cancel: true }));
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error) waiter.reject(new ProcessStartError(reply.error.message, reply.error.code));
    else waiter.resolve({ code: reply.code ?? null, signal: reply.signal ?? null, stdout: toBuffer(reply.stdout), stderr: toBuffer(reply.stderr) });
  }

  /** The thread died or never started: what it was running is run here instead. */
  private fail(): void {
    this.broken = true;
    for (const waiter of this.pending.values()) runHere(waiter.file, waiter.args, waiter.options).then(waiter.resolve, waiter.reject);
    this.pending.clear();
  }
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

const THREADS = 2;
const threads: ProcessThread[] = [];

/**
 * Starts the helper threads now rather than at the first process, which would
 * otherwise wait for them; for long-lived processes that will run many.
 */
export function startProcessThreads(): void {
  pickThread();
}

function pickThread(): ProcessThread | null {
  if (process.env.CODECREW_PROCESS_THREADS === '0') return null;
  while (threads.length < THREADS) {
    try {
      threads.push(new ProcessThread());
    } catch {
      return null;
    }
  }
  const healthy = threads.filter((thread) => !thread.broken);
  if (healthy.length === 0) return null;
  return healthy.reduce((best, thread) => (thread.load < best.load ? thread : best));
}

/**
 * Runs a program (no shell) to its end and collects its output, starting it
 * from a helper thread so that the main thread never blocks on process start;
 * falls back to starting it here if no thread can run. Never rejects for a
 * non-zero exit: read `code`. Rejects with ProcessStartError when the program
 * cannot be started.
 */
export function runProcess(file: string, args: string[], options: RunProcessOptions): Promise<ProcessOutput> {
  const thread = pickThread();
  if (thread !== null) return thread.run(file, args, options);
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

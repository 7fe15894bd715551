import { closeSync, constants, existsSync, fstatSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';

/** Where the runner script lives inside a container, and where its socket directory is mounted. */
export const RUNNER_MOUNT = '/opt/codecrew';
export const RUNNER_SOCKET_DIR = '/run/codecrew';
export const RUNNER_SOCKET_NAME = 'runner.sock';
/** Written next to the socket by the container when the runner exits (or never started). */
export const RUNNER_EXIT_FILE = 'runner.exit';

const STDOUT = 1;
const STDERR = 2;
const EXIT = 3;
const ERROR = 4;
const CONNECT_RETRY_MS = 3;
/** How long the host waits for the runner to confirm a kill before it drops the connection. */
const KILL_WAIT_MS = 3000;

/** One command for the runner. */
export interface RunnerRequest {
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** Seconds, as `timeout` takes them. */
  timeout: string;
  mark: string;
}

/** How a runner-run command ended. `lost` means the runner went away before saying. */
export interface RunnerOutcome {
  exitCode: number | null;
  /** The container's oom_kill counter, read by the runner when the command died of SIGKILL. */
  oomKills: number | null;
  hostTimedOut: boolean;
  aborted: boolean;
  lost: boolean;
  error?: string;
}

/** Where output bytes go (an OutputCap). */
export interface ByteSink {
  push(chunk: Buffer): void;
}

/** Thrown by {@link RunnerClient.open} when there is no runner to talk to. */
export class RunnerUnavailable extends Error {}

/** Linux's O_PATH: a handle on the directory entry itself, which `connect` can reach through /proc. */
const O_PATH = 0o10000000;

/**
 * Connects to the socket at `path` without following a symlink there: the
 * sandbox can write the socket's directory, and a symlink swapped in would
 * otherwise lead the host to any socket on the host.
 */
function tryConnect(path: string): Promise<Socket> {
  let fd: number;
  try {
    fd = openSync(path, O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  if (!fstatSync(fd).isSocket()) {
    closeSync(fd);
    return Promise.reject(Object.assign(new Error(`${path} is not a socket`), { code: 'ENOTSOCK' }));
  }
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(`/proc/self/fd/${fd}`);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', reject);
  }).finally(() => closeSync(fd));
}

/** The runner sends at most 64 KiB per output frame; anything far bigger is not the runner talking. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Whether a request can be sent: its fields are NUL-separated, so none may hold a NUL. */
export function encodable(request: RunnerRequest): boolean {
  return ![request.command, request.cwd, request.mark, ...Object.entries(request.env).flat()].some((field) =>
    field.includes('\0'),
  );
}

/** `<length><command>\0<cwd>\0<timeout>\0<mark>[\0KEY=value...]`, see runner.py. */
function encodeRequest(request: RunnerRequest): Buffer {
  const fields = [
    request.command,
    request.cwd,
    request.timeout,
    request.mark,
    ...Object.entries(request.env).map(([k, v]) => `${k}=${v}`),
  ];
  const body = Buffer.from(fields.join('\0'), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Talks to the runner inside one container over its Unix socket. Until the
 * runner has answered once, connecting waits for it up to a deadline (it may
 * still be starting); after that a refused connection means it is gone.
 */
export class RunnerClient {
  private seen = false;
  private dead = false;

  constructor(
    readonly socketPath: string,
    private readonly readyBy: number,
  ) {}

  /** False once the runner is known to be gone; then callers use `docker exec`. */
  get usable(): boolean {
    return !this.dead;
  }

  /** Marks the runner as gone. */
  markDead(): void {
    this.dead = true;
  }

  /** Waits until the runner accepts a connection (or the deadline passes); true when it did. */
  async waitReady(): Promise<boolean> {
    try {
      (await this.open()).destroy();
      return true;
    } catch {
      return false;
    }
  }

  /** A connection to the runner; throws {@link RunnerUnavailable} when there is none. */
  async open(): Promise<Socket> {
    if (this.dead) throw new RunnerUnavailable('the runner is gone');
    for (;;) {
      try {
        const socket = await tryConnect(this.socketPath);
        this.seen = true;
        return socket;
      } catch (error) {
        const exited = existsSync(join(dirname(this.socketPath), RUNNER_EXIT_FILE));
        if (this.seen || exited || Date.now() >= this.readyBy) {
          this.dead = true;
          throw new RunnerUnavailable(`no runner at ${this.socketPath}: ${(error as Error).message}`);
        }
        await sleep(CONNECT_RETRY_MS);
      }
    }
  }

  /**
   * Runs one command on an open connection, streaming its output into `stdout`
   * and `stderr`. At `hostTimeoutMs` or on abort the runner is told to kill it.
   */
  run(
    socket: Socket,
    request: RunnerRequest,
    sinks: { stdout: ByteSink; stderr: ByteSink },
    hostTimeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<RunnerOutcome> {
    return new Promise((resolve) => {
      let pending: Buffer = Buffer.alloc(0);
      let hostTimedOut = false;
      let aborted = false;
      let settled = false;
      let giveUp: NodeJS.Timeout | undefined;

      const finish = (outcome: Omit<RunnerOutcome, 'hostTimedOut' | 'aborted'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(giveUp);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (outcome.lost) this.dead = true;
        resolve({ ...outcome, hostTimedOut, aborted });
      };
      const kill = (): void => {
        if (!socket.destroyed) socket.write('kill\n');
        giveUp = setTimeout(() => finish({ exitCode: null, oomKills: null, lost: false }), KILL_WAIT_MS);
      };
      const timer = setTimeout(() => {
        hostTimedOut = true;
        kill();
      }, hostTimeoutMs);
      const onAbort = (): void => {
        aborted = true;
        kill();
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      // The socket lives in a directory the sandbox can write: treat what comes back as untrusted.
      const broken = (): void => finish({ exitCode: null, oomKills: null, lost: true });
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (!settled && pending.length >= 5) {
          const length = pending.readUInt32BE(1);
          if (length > MAX_FRAME_BYTES) return broken();
          if (pending.length < 5 + length) break;
          const kind = pending[0];
          const payload = pending.subarray(5, 5 + length);
          pending = pending.subarray(5 + length);
          if (kind === STDOUT) sinks.stdout.push(payload);
          else if (kind === STDERR) sinks.stderr.push(payload);
          else if (kind === ERROR)
            finish({ exitCode: null, oomKills: null, lost: false, error: payload.toString('utf8') });
          else if (kind === EXIT) {
            const exit = /^(\d{1,3}) (\d+|-)$/.exec(payload.toString('latin1'));
            if (exit === null) return broken();
            finish({ exitCode: Number(exit[1]), oomKills: exit[2] === '-' ? null : Number(exit[2]), lost: false });
          } else return broken();
        }
      });
      socket.on('error', () => finish({ exitCode: null, oomKills: null, lost: true }));
      socket.on('close', () => finish({ exitCode: null, oomKills: null, lost: true }));
      socket.write(encodeRequest(request));
    });
  }
}

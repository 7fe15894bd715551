import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DockerSandboxProvider, type SandboxInfo } from '@codecrew/sandbox';
import { ROOT } from './cli.ts';

const CLI = join(ROOT, 'packages/cli/bin/codecrew.js');

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `codecrew worker` child process, for tests that stop or kill it themselves. */
export interface WorkerProcess {
  child: ChildProcess;
  /** The worker id it printed when it started serving. */
  id: string;
  /** The owner label of the sandboxes it creates. */
  owner: string;
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Resolves once the output matches `pattern`; rejects if the process exits first or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` if it still runs, and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

/** Starts `codecrew worker` on `natsUrl` and waits until it serves. */
export async function startWorker(opts: {
  natsUrl: string;
  dataDir: string;
  roles?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<WorkerProcess> {
  const args = [CLI, 'worker', ...(opts.roles === undefined ? [] : ['--roles', opts.roles])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env, NATS_URL: opts.natsUrl, CODECREW_DATA_DIR: opts.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const listener of listeners) listener();
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no ${pattern} from codecrew worker within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const finish = (error?: Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (pattern.test(output)) finish();
        else if (done) finish(new Error(`codecrew worker exited before ${pattern}:\n${output}`));
      };
      listeners.add(check);
      check();
    });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<Exit> => {
    if (!done) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  try {
    await waitFor(/worker (\S+) serving/);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  const id = /worker (\S+) serving/.exec(output)?.[1] ?? '';
  return { child, id, owner: `${hostname()}:${child.pid}`, output: () => output, exited, waitFor, stop };
}

/** codecrew's sandboxes on this Docker daemon that match `filter` (pooled ones with the job labels they were given). */
export async function sandboxesWhere(filter: (info: SandboxInfo) => boolean): Promise<SandboxInfo[]> {
  return (await new DockerSandboxProvider().list()).filter(filter);
}

/** Polls `check` every 100 ms until it holds; false when `timeoutMs` passes first. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

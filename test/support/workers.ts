import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startNats } from '@codecrew/bus/testing';
import { ROOT } from './cli.ts';

const CLI = join(ROOT, 'packages/cli/bin/codecrew.js');

/**
 * True when the end-to-end suites run with their agent workers in a separate
 * `codecrew worker` process (the `remote-workers` test project): each run
 * then gets its own nats-server and worker, and `codecrew run --no-worker`.
 */
export const REMOTE_WORKERS = process.env.CODECREW_E2E_WORKERS === 'remote';

/** A `codecrew worker` process and the nats-server it serves. */
export interface RemoteCrew {
  natsUrl: string;
  worker: ChildProcess;
  /** What the worker printed so far. */
  output(): string;
  /** Stops the worker with SIGTERM (it removes its containers) and waits for it, then stops NATS. */
  stop(): Promise<void>;
}

/** Starts a nats-server and a `codecrew worker` on it, and waits until the worker serves. */
export async function startRemoteCrew(
  testName: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RemoteCrew> {
  const nats = await startNats(testName);
  const worker = spawn(process.execPath, [CLI, 'worker', '--coders', '4'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env, NATS_URL: nats.url, CODECREW_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const stop = async () => {
    if (worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await nats.stop();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`codecrew worker did not start within 60 s:\n${output}`)),
        60_000,
      );
      const check = () => {
        if (!/serving/.test(output)) return;
        clearTimeout(timer);
        resolve();
      };
      worker.stdout?.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`codecrew worker exited before serving:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { natsUrl: nats.url, worker, output: () => output, stop };
}

/**
 * Runs `run(extraArgs, extraEnv)` with the crew as the test project asks:
 * in-process (nothing added), or with a separate worker process (`--no-worker`
 * and its NATS_URL), which is stopped before this returns.
 */
export async function withCrew<T>(
  testName: string,
  dataDir: string,
  env: NodeJS.ProcessEnv,
  run: (args: string[], env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  if (!REMOTE_WORKERS) return run([], {});
  const crew = await startRemoteCrew(testName, dataDir, env);
  try {
    return await run(['--no-worker'], { NATS_URL: crew.natsUrl });
  } finally {
    await crew.stop();
  }
}

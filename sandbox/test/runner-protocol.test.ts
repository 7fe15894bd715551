import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputCap, RUNNER_DIR, RunnerClient, RunnerUnavailable } from '@codecrew/sandbox';
import type { RunnerOutcome, RunnerRequest } from '@codecrew/sandbox';
import { tempDir } from './helpers.ts';

// The real runner script, run on the host (python3 and bash are all it needs), spoken to through RunnerClient.
let dir: string;
let runner: ChildProcess;
let socketPath: string;

beforeAll(async () => {
  dir = tempDir('runner-protocol');
  mkdirSync(join(dir, 'cwd', 'sub'), { recursive: true });
  socketPath = join(dir, 'runner.sock');
  runner = spawn('python3', ['-I', '-S', join(RUNNER_DIR, 'runner.py'), socketPath], {
    stdio: 'inherit',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KEPT: 'yes' },
  });
  const client = new RunnerClient(socketPath, Date.now() + 10_000);
  if (!(await client.waitReady())) throw new Error('the runner did not start; it needs python3 on the PATH');
});

afterAll(() => {
  runner?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  command: string,
  options: { timeout?: string; hostTimeoutMs?: number; signal?: AbortSignal; cwd?: string; cap?: number } = {},
): Promise<RunnerOutcome & { stdout: string; stderr: string }> {
  const client = new RunnerClient(socketPath, Date.now() + 1000);
  const socket = await client.open();
  const stdout = new OutputCap(options.cap ?? 4096);
  const stderr = new OutputCap(options.cap ?? 4096);
  const request: RunnerRequest = {
    command,
    cwd: options.cwd ?? join(dir, 'cwd'),
    env: { EXTRA: 'x' },
    timeout: options.timeout ?? '30',
    mark: `m${Math.random()}`,
  };
  const outcome = await client.run(
    socket,
    request,
    { stdout, stderr },
    options.hostTimeoutMs ?? 60_000,
    options.signal,
  );
  return { ...outcome, stdout: stdout.text(), stderr: stderr.text() };
}

describe('the runner protocol', () => {
  it('runs bash in the cwd with the runner environment plus the extra one, and returns the exit code', async () => {
    const r = await run('pwd; echo "$KEPT $EXTRA ${CODECREW_EXEC:0:1}"; echo err >&2; exit 3', {
      cwd: join(dir, 'cwd', 'sub'),
    });
    expect([r.exitCode, r.stdout, r.stderr, r.lost, r.hostTimedOut, r.aborted]).toEqual([
      3,
      `${join(dir, 'cwd', 'sub')}\nyes x m\n`,
      'err\n',
      false,
      false,
      false,
    ]);
  });

  it('kills the process group at its time limit with exit 137', async () => {
    const started = Date.now();
    const r = await run('echo started; sleep 30 & sleep 30', { timeout: '0.5' });
    expect([r.exitCode, r.stdout, r.oomKills === null || typeof r.oomKills === 'number']).toEqual([
      137,
      'started\n',
      true,
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('returns once the command exits even when a background child holds its output', async () => {
    const started = Date.now();
    const r = await run('sleep 3 & echo done');
    expect([r.exitCode, r.stdout]).toEqual([0, 'done\n']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills on the host timer and on abort', async () => {
    const timed = await run('sleep 30', { hostTimeoutMs: 300 });
    expect([timed.exitCode, timed.hostTimedOut, timed.aborted]).toEqual([137, true, false]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const aborted = await run('sleep 30', { signal: controller.signal });
    expect([aborted.exitCode, aborted.hostTimedOut, aborted.aborted]).toEqual([137, false, true]);
  });

  it('streams large output through the cap', async () => {
    const r = await run('seq 1 200000', { cap: 100 });
    expect([r.exitCode, r.stdout.startsWith('1\n2\n'), r.stdout.endsWith('199999\n200000\n')]).toEqual([0, true, true]);
  });

  it('reports a command that cannot start', async () => {
    const r = await run('true', { cwd: join(dir, 'missing') });
    expect([r.exitCode, r.error?.includes('missing')]).toEqual([null, true]);
  });

  it('does not follow a symlink put in place of the socket', async () => {
    const trapPath = join(dir, 'trap.sock');
    let connections = 0;
    const trap = createServer((s) => {
      connections++;
      s.end();
    });
    await new Promise<void>((resolve) => trap.listen(trapPath, resolve));
    try {
      symlinkSync(trapPath, join(dir, 'swapped.sock'));
      const client = new RunnerClient(join(dir, 'swapped.sock'), Date.now());
      const error = await client.open().catch((e: unknown) => e);
      expect([error instanceof RunnerUnavailable, client.usable, connections]).toEqual([true, false, 0]);
    } finally {
      trap.close();
    }
  });

  it('treats garbage from the socket as a lost runner', async () => {
    const fake = join(dir, 'fake.sock');
    const server = createServer((s) => s.end(Buffer.from([3, 0, 0, 0, 2, 0x7b, 0x7b])));
    await new Promise<void>((resolve) => server.listen(fake, resolve));
    try {
      const client = new RunnerClient(fake, Date.now() + 1000);
      const outcome = await client.run(
        await client.open(),
        { command: 'true', cwd: '/', env: {}, timeout: '1', mark: 'x' },
        { stdout: new OutputCap(10), stderr: new OutputCap(10) },
        5000,
        undefined,
      );
      expect([outcome.exitCode, outcome.lost, client.usable]).toEqual([null, true, false]);
    } finally {
      server.close();
    }
  });
});

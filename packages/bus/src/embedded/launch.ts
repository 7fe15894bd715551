import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { CodecrewError } from '@codecrew/core';
import { findSetpriv, resolveNatsBinary } from './binary.ts';
import { pidFileOf, stopEarlierServer } from './earlier-server.ts';

/** A private nats-server with JetStream, stopped by `stop()` or `await using`. */
export interface EmbeddedNats extends AsyncDisposable {
  url: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/** Options of `startEmbeddedNats`. */
export interface EmbeddedNatsOptions {
  /** JetStream store lives under this folder (created if missing). */
  dataDir: string;
  /** nats-server executable; default `nats-server` on PATH, then `/usr/sbin/nats-server`. */
  binary?: string;
  /** Loopback port; default a free one chosen by the server. */
  port?: number;
  /** Server log; default `<dataDir>/nats-server.log`. */
  logFile?: string;
  /** How long to wait for the server to accept connections. Default 20 s. */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 30;
const LISTEN_LINE = /Listening for client connections on ([^\s:]+|\[[^\]]+\]):(\d+)/;

/**
 * Launches nats-server with JetStream on 127.0.0.1 and resolves once it accepts connections and JetStream
 * answers. A server an earlier, killed process left running on the same `dataDir` is stopped first. Throws NATS_START_FAILED with an install hint when the binary is missing, or with the log tail
 * when the server exits early.
 *
 * @example
 * const nats = await startEmbeddedNats({ dataDir: '.codecrew/nats' });
 * try { ... connectBus({ servers: nats.url, name: 'cli' }) ... } finally { await nats.stop(); }
 */
export async function startEmbeddedNats(opts: EmbeddedNatsOptions): Promise<EmbeddedNats> {
  const binary = resolveNatsBinary(opts.binary);
  mkdirSync(opts.dataDir, { recursive: true });
  const storeDir = resolve(opts.dataDir);
  await stopEarlierServer(storeDir);
  const logFile = opts.logFile ?? join(opts.dataDir, 'nats-server.log');
  const args = ['-js', '-a', '127.0.0.1', '-p', String(opts.port ?? -1), '-sd', storeDir, '-P', pidFileOf(storeDir)];
  // setpriv --pdeathsig makes the kernel send SIGTERM to the server if this process dies without cleanup.
  const setpriv = findSetpriv();
  const child =
    setpriv === null
      ? spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.off('exit', killOnExit));

  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  // A log that cannot be written must not take the process down; the tail is still kept in memory.
  log.on('error', () => undefined);
  const tail: string[] = [];
  let port: number | null = null;
  let ready = false;
  let onLine: (() => void) | null = null;
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      const match = LISTEN_LINE.exec(line);
      if (match) port = Number(match[2]);
      if (line.includes('Server is ready')) ready = true;
    }
    onLine?.();
  });
  child.once('exit', () => log.end());

  const fail = async (why: string, cause?: unknown): Promise<never> => {
    await stopChild(child, exited);
    throw new CodecrewError('NATS_START_FAILED', `${why}; nats-server log (${logFile}):\n${tail.join('\n')}`, {
      details: { binary, dataDir: opts.dataDir, logFile },
      cause,
    });
  };

  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const outcome = await new Promise<'ready' | 'exited' | 'timeout' | Error>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    const done = (value: 'ready' | 'exited' | Error): void => {
      clearTimeout(timer);
      onLine = null;
      resolve(value);
    };
    onLine = () => {
      if (ready && port !== null) done('ready');
    };
    child.once('error', (error) => done(error));
    child.once('exit', () => done('exited'));
  });
  if (outcome === 'exited') return fail(`nats-server exited during start (code ${String(child.exitCode)})`);
  if (outcome === 'timeout') return fail(`nats-server did not become ready within ${timeoutMs} ms`);
  if (outcome instanceof Error) return fail(`could not run ${binary}: ${outcome.message}`, outcome);

  const url = `nats://127.0.0.1:${String(port)}`;
  try {
    const nc = await connect({ servers: url, name: 'codecrew-embedded-probe' });
    try {
      await jetstreamManager(nc);
    } finally {
      await nc.close();
    }
  } catch (error) {
    return fail(`nats-server at ${url} did not answer JetStream requests`, error);
  }

  const stop = (): Promise<void> => stopChild(child, exited);
  return {
    url,
    dataDir: opts.dataDir,
    pid: child.pid ?? -1,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace'>((resolve) => {
    timer = setTimeout(() => resolve('grace'), STOP_GRACE_MS);
  });
  const first = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (first === 'grace') {
    child.kill('SIGKILL');
    await exited;
  }
}

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES, Role, parseDuration } from '@codecrew/core';
import { connectBus } from '@codecrew/bus';
import { createSandboxProvider, startReaper } from '@codecrew/sandbox';
import { AgentWorker } from '@codecrew/agents';
import { loadConfig } from '@codecrew/orchestrator';
import { usageError, type Io } from '../io.ts';

/** How long a stopping worker waits for its jobs' cleanup and NATS before it exits anyway. */
const STOP_DEADLINE_MS = 10_000;
const EXIT_CODE: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * The worker's signals: before it serves, SIGINT or SIGTERM exits at once; once it serves, the first
 * one starts a clean stop (`signalled` resolves) and a second one exits at once.
 */
function watchSignals(io: Io): { signalled: Promise<'SIGINT' | 'SIGTERM'>; serving(): void } {
  let serving = false;
  let received = false;
  let resolve: (signal: 'SIGINT' | 'SIGTERM') => void = () => undefined;
  const signalled = new Promise<'SIGINT' | 'SIGTERM'>((done) => (resolve = done));
  const on = (signal: 'SIGINT' | 'SIGTERM') => {
    if (serving && !received) {
      received = true;
      resolve(signal);
      return;
    }
    io.err(
      `codecrew worker: ${signal}${received ? ' again' : ''}, exiting now; the reaper of the next codecrew process removes what is left`,
    );
    process.exit(EXIT_CODE[signal]);
  };
  process.on('SIGINT', () => on('SIGINT'));
  process.on('SIGTERM', () => on('SIGTERM'));
  return { signalled, serving: () => (serving = true) };
}

/** `codecrew worker [--roles coder,tester] [--coders N]`: an agent worker serving a NATS cluster (NATS_URL). */
export async function workerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { roles: { type: 'string' }, coders: { type: 'string', default: '4' }, config: { type: 'string' } },
  });
  const config = loadConfig(values.config === undefined ? {} : { file: values.config });
  if (config.nats.url === undefined) throw usageError('codecrew worker serves a shared NATS: set NATS_URL or nats.url');
  const roles =
    values.roles === undefined ? [...ROLES] : values.roles.split(',').map((name) => Role.parse(name.trim()));
  const signals = watchSignals(io);
  const bus = await connectBus({
    servers: config.nats.url,
    name: `codecrew-worker-${process.pid}`,
    prefix: config.nats.prefix,
  });
  const sandboxes = await createSandboxProvider(
    { ...config.sandbox, dataDir: config.dataDir },
    { onProgress: (line) => io.out(line) },
  );
  await sandboxes.ensureReady();
  await sandboxes.reap();
  const reaper = startReaper(sandboxes, 60_000);
  const worker = new AgentWorker({
    bus,
    sandboxes,
    workRoot: join(config.dataDir, 'work'),
    roles,
    concurrency: { coder: Number(values.coders) },
    catalog: config.models.catalog,
    modelRetries: config.models.maxRetries,
    modelTimeoutMs: parseDuration(config.models.timeout),
  });
  await worker.start();
  signals.serving();
  io.out(`worker ${worker.id} serving ${roles.join(', ')} on ${config.nats.url}; stop with Ctrl-C`);
  const signal = await signals.signalled;
  const jobs = worker.runningJobs;
  io.out(
    `worker ${worker.id} stopping (${signal}): ${jobs === 0 ? 'no job running' : `cancelling ${jobs} job(s), handing them back to the queue and removing their sandboxes`}; ${signal} again exits at once`,
  );
  const shutDown = (async () => {
    await worker.stop();
    reaper.stop();
    await sandboxes.close?.();
    await bus.close();
  })();
  let timer: NodeJS.Timeout | undefined;
  let failed = false;
  const inTime = await Promise.race([
    shutDown.then(
      () => true,
      (error: unknown) => {
        failed = true;
        io.err(
          `codecrew worker: stopping did not go cleanly: ${error instanceof Error ? error.message : String(error)}`,
        );
        return true;
      },
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_DEADLINE_MS))),
  ]);
  clearTimeout(timer);
  if (!inTime) {
    io.err(
      `codecrew worker: gave up waiting for cleanup after ${STOP_DEADLINE_MS / 1000} s; the reaper of the next codecrew process removes what is left`,
    );
    process.exit(1);
  }
  // NATS may be unreachable, and a library may keep a reconnect timer alive: the work is done, so leave.
  const code = failed ? 1 : 0;
  setTimeout(() => process.exit(code), 1_000).unref();
  io.out(`worker ${worker.id} stopped`);
  return code;
}

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES, Role, parseDuration } from '@codecrew/core';
import { connectBus } from '@codecrew/bus';
import { createSandboxProvider, startReaper } from '@codecrew/sandbox';
import { AgentWorker } from '@codecrew/agents';
import { loadConfig } from '@codecrew/orchestrator';
import { usageError, type Io } from '../io.ts';

/** `codecrew worker [--roles coder,tester] [--coders N]`: an agent worker serving a NATS cluster (NATS_URL). */
export async function workerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { roles: { type: 'string' }, coders: { type: 'string', default: '4' }, config: { type: 'string' } } });
  const config = loadConfig(values.config === undefined ? {} : { file: values.config });
  if (config.nats.url === undefined) throw usageError('codecrew worker serves a shared NATS: set NATS_URL or nats.url');
  const roles = values.roles === undefined ? [...ROLES] : values.roles.split(',').map((name) => Role.parse(name.trim()));
  const bus = await connectBus({ servers: config.nats.url, name: `codecrew-worker-${process.pid}`, prefix: config.nats.prefix });
  const sandboxes = await createSandboxProvider({ ...config.sandbox, dataDir: config.dataDir }, { onProgress: (line) => io.out(line) });
  await sandboxes.ensureReady();
  await sandboxes.reap();
  const reaper = startReaper(sandboxes, 60_000);
  const worker = new AgentWorker({
    bus,
    sandboxes,
    workRoot: join(config.dataDir, 'work'),
    roles,
    concurrency: { coder: Number(values.coders) },
    prices: config.models.prices,
    modelRetries: config.models.maxRetries,
    modelTimeoutMs: parseDuration(config.models.timeout),
  });
  await worker.start();
  io.out(`worker ${worker.id} serving ${roles.join(', ')} on ${config.nats.url}; stop with Ctrl-C`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await worker.stop();
  reaper.stop();
  await sandboxes.close?.();
  await bus.close();
  return 0;
}

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type CheckpointStore } from '@codecrew/orchestrator';
import { defaultMaxTasks, startServer } from '@codecrew/server';
import { openTaskStore } from '@codecrew/store';
import { usageError, type Io } from '../io.ts';
import { databaseUrlFromEnv, openServeCheckpoints } from '../runtime/checkpoints.ts';
import { startCrew } from '../runtime/crew.ts';
import { startScriptedModels } from '../runtime/scripted-models.ts';

const EXIT_CODE: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

function wholeNumber(value: string, option: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max)
    throw usageError(`${option} takes a whole number from ${min} to ${max}, not "${value}"`);
  return Number(value);
}

/**
 * `codecrew serve [--port 7420] [--host 127.0.0.1] [--token T] [--max-tasks N] [--model M] [--data-dir DIR]
 * [--no-worker] [--coders N] [--config FILE]`: the HTTP API, with NATS, a worker and the task store.
 */
export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '7420' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      'max-tasks': { type: 'string' },
      model: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      'no-worker': { type: 'boolean', default: false },
      coders: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw usageError('codecrew serve takes no arguments, only options');
  const port = wholeNumber(values.port, '--port', 0, 65_535);
  const loaded = loadConfig(values.config === undefined ? {} : { file: resolve(values.config) });
  const dataDir = resolve(values['data-dir'] ?? loaded.dataDir);
  const config = { ...loaded, dataDir };
  const maxTasks =
    values['max-tasks'] === undefined
      ? (config.server?.maxTasks ?? defaultMaxTasks())
      : wholeNumber(values['max-tasks'], '--max-tasks', 1, 256);
  const token = values.token ?? (process.env['CODECREW_TOKEN'] || null);
  const withWorker = !values['no-worker'];
  if (!withWorker && config.nats.url === undefined) {
    throw usageError(
      'codecrew serve --no-worker leaves the jobs to `codecrew worker` processes, which need a shared NATS: set NATS_URL (or nats.url)',
    );
  }
  const coders =
    values.coders === undefined
      ? Math.max(4, maxTasks * config.defaults.parallelism)
      : wholeNumber(values.coders, '--coders', 1, 256);
  const databaseUrl = databaseUrlFromEnv();

  let stopping = false;
  let resolveSignal: (signal: 'SIGINT' | 'SIGTERM') => void = () => undefined;
  const signalled = new Promise<'SIGINT' | 'SIGTERM'>((done) => (resolveSignal = done));
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopping) {
      io.err(`codecrew serve: ${signal} again, exiting now; running tasks resume at the next start`);
      process.exit(EXIT_CODE[signal]);
    }
    stopping = true;
    resolveSignal(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const store = await openTaskStore(databaseUrl === undefined ? { dataDir } : { databaseUrl });
  const say = (line: string) => io.out(line);
  let checkpoints: CheckpointStore | null = null;
  try {
    // Checkpoints follow the task store: in PostgreSQL when it is, so that a restart anywhere finds them.
    checkpoints = await openServeCheckpoints(dataDir);
    const crew = await startCrew({
      config,
      coderConcurrency: coders,
      concurrency: { planner: maxTasks, tester: maxTasks, reviewer: maxTasks, asker: maxTasks },
      withWorker,
      natsStore: 'server',
      keepNatsStore: true,
      say,
    });
    try {
      const sandboxes = crew.sandboxes;
      const server = await startServer({
        config,
        store,
        checkpoints,
        bus: crew.bus,
        host: values.host,
        port,
        token,
        maxTasks,
        ...(values.model === undefined ? {} : { modelOverride: values.model }),
        prepareTask: async (task) => {
          crew.prewarm(task.sandbox);
          const scripted = await startScriptedModels(task);
          return { task: scripted.task, close: scripted.close };
        },
        probes: {
          docker: async () => {
            if (sandboxes === null) return { ok: true, detail: 'not used here: jobs run on other workers' };
            await sandboxes.ensureReady();
            return { ok: true, detail: `${sandboxes.driver} sandboxes ready` };
          },
        },
        log: say,
      });
      io.out(
        `codecrew serve: ${server.url} — at most ${server.maxTasks} task(s) at once; data in ${dataDir} (${store.kind}${databaseUrl === undefined ? '' : ': DATABASE_URL'})${token === null ? '' : '; requests need the token'}`,
      );
      say(`checkpoints: ${checkpoints.location}`);
      if (!withWorker) say('worker: none in this process; jobs go to `codecrew worker` processes on this NATS');
      const signal = await signalled;
      io.out(
        `codecrew serve: ${signal}: stopping; running tasks resume at the next start (${signal} again exits at once)`,
      );
      await server.close();
      // NATS or a library may keep a timer alive: the work is done, so leave once cleanup has had its chance.
      setTimeout(() => process.exit(EXIT_CODE[signal]), 1_000).unref();
      return EXIT_CODE[signal];
    } finally {
      await crew.close();
    }
  } finally {
    await checkpoints?.close();
    await store.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CodecrewError, parseSize, type Config } from '@codecrew/core';
import { busNames, type Bus } from '@codecrew/bus';
import { openCheckpointStore, type CheckpointStore, type ResolvedTask } from '@codecrew/orchestrator';
import type { TaskStore } from '@codecrew/store';
import { openApiDocument } from './api/openapi.ts';
import type { Health } from './api/schemas.ts';
import { buildApp } from './http/app.ts';
import { isLoopback } from './http/auth.ts';
import type { ApiContext } from './http/context.ts';
import { EventFeed } from './run/event-feed.ts';
import { Scheduler } from './run/scheduler.ts';
import { runStoredTask, settleTask, type PreparedTask, type TaskRunnerContext } from './run/task-runner.ts';
import type { AdmissionRules } from './tasks/submit.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { observedStore } from './webhooks/observed-store.ts';

/** The answer of one health check. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** How to start the server. */
export interface ServerOptions {
  /** The configuration; its `dataDir` holds the outputs, the event feed's bookmark and the SQLite checkpoints. */
  config: Config;
  store: TaskStore;
  /**
   * Where the tasks' LangGraph checkpoints are kept (PostgreSQL when the task store is); default one SQLite
   * file per task in `<dataDir>/checkpoints`. The caller closes it after the server.
   */
  checkpoints?: CheckpointStore;
  /** The bus of the crew that runs the jobs (a worker in this process, or others on the same NATS). */
  bus: Bus;
  /** Default 127.0.0.1; any address that is not loopback needs a token. */
  host?: string;
  /** Default 7420; 0 takes a free port. */
  port?: number;
  /** Every request must carry `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Tasks at once; default `server.maxTasks`, else half the machine's cores (at least 1). */
  maxTasks?: number;
  /** Every role of every task uses this model (`--model`). */
  modelOverride?: string;
  /** Relative paths in submitted specs are resolved against this directory; default the process's. */
  cwd?: string;
  /** Before each task runs, e.g. to start the scripted model servers it names. */
  prepareTask?: (task: ResolvedTask) => Promise<PreparedTask>;
  /** Checks of GET /healthz beyond NATS and the database. */
  probes?: { docker?: () => Promise<ProbeResult> };
  /** Default 15 s. */
  heartbeatMs?: number;
  /** How long POST /cancel waits for a running task to stop; default 30 s. */
  cancelWaitMs?: number;
  log?: (line: string) => void;
}

/** A running server. */
export interface CodecrewServer {
  url: string;
  host: string;
  port: number;
  maxTasks: number;
  /** The most tasks that have run at once. */
  peakRunning(): number;
  /** Stops taking requests and starting tasks; running tasks are left to resume at the next start. */
  close(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** Tasks at once when nothing says: half the machine's cores, at least one. */
export function defaultMaxTasks(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

async function probe(check: () => Promise<ProbeResult>, timeoutMs = 3_000): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<ProbeResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
      }),
    ]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `codecrew serve`'s HTTP API over a task store and a bus: the event feed copies every event into the
 * store, the scheduler resumes the tasks that were running and starts queued ones, at most `maxTasks` at once.
 */
export async function startServer(options: ServerOptions): Promise<CodecrewServer> {
  const { config, bus } = options;
  const log = options.log ?? (() => undefined);
  // Webhooks are told what the store records (tasks created, events stored, statuses ended).
  const webhooks = new WebhookDispatcher({ store: options.store, hooks: config.server?.webhooks ?? [], log });
  const store = observedStore(options.store, webhooks);
  const checkpoints =
    options.checkpoints ?? (await openCheckpointStore({ sqliteDir: join(config.dataDir, 'checkpoints') }));
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? null;
  if (!isLoopback(host) && token === null) {
    throw new CodecrewError(
      'USAGE_INVALID',
      `binding ${host} makes the API reachable from other machines: give it a token (--token or CODECREW_TOKEN)`,
    );
  }
  const maxTasks = options.maxTasks ?? config.server?.maxTasks ?? defaultMaxTasks();
  const rules: AdmissionRules = {
    config,
    cwd: options.cwd ?? process.cwd(),
    ...(options.modelOverride === undefined ? {} : { modelOverride: options.modelOverride }),
    ...(config.server?.allowedRepoRoots === undefined ? {} : { allowedRepoRoots: config.server.allowedRepoRoots }),
  };
  const feed = new EventFeed({
    bus,
    store,
    streamName: busNames(config.nats.prefix).eventsStream,
    positionFile: join(config.dataDir, 'serve', 'event-feed.json'),
    log,
  });
  await feed.start();
  let stopping = false;
  const runner: TaskRunnerContext = {
    store,
    checkpoints,
    bus,
    feed,
    rules,
    ...(options.prepareTask === undefined ? {} : { prepareTask: options.prepareTask }),
    isStopping: () => stopping,
    log,
  };
  const scheduler = new Scheduler({
    store,
    maxTasks,
    run: (record, signal) => runStoredTask(runner, record, signal),
    settle: (record, status, error) => settleTask(runner, record, status, error),
    log,
  });
  const closing = new AbortController();
  const health = async (): Promise<Health> => {
    const [nats, database, docker, queued] = await Promise.all([
      probe(async () => ({ ok: true, detail: `${(await bus.listWorkers()).length} worker(s) registered` })),
      probe(async () => {
        await store.ping();
        return { ok: true, detail: store.kind };
      }),
      options.probes?.docker ? probe(options.probes.docker) : { ok: true, detail: 'not used by this server' },
      store.tasksWithStatus(['queued']).then(
        (tasks) => tasks.length,
        () => 0,
      ),
    ]);
    const worker = nats.ok
      ? await probe(async () => {
          const workers = await bus.listWorkers();
          return workers.length > 0
            ? { ok: true, detail: workers.map((w) => `${w.id} (${w.roles.join(', ')})`).join('; ') }
            : { ok: false, detail: 'no worker serves this NATS: start codecrew worker, or serve without --no-worker' };
        })
      : { ok: false, detail: 'NATS does not answer' };
    const checks = { nats, docker, database, worker };
    return {
      status: Object.values(checks).every((check) => check.ok) ? 'ok' : 'degraded',
      checks,
      tasks: { queued, running: scheduler.running, max_tasks: maxTasks },
    };
  };
  const ctx: ApiContext = {
    store,
    checkpoints,
    bus,
    scheduler,
    feed,
    rules,
    health,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    cancelWaitMs: options.cancelWaitMs ?? 30_000,
    closing: closing.signal,
    log,
  };
  const app = buildApp(ctx, {
    token,
    maxBodyBytes: parseSize(config.server?.maxBodySize ?? '1m'),
    openApi: openApiDocument(VERSION),
  });
  try {
    await app.listen({ host, port: options.port ?? 7420 });
  } catch (error) {
    await feed.stop();
    throw new CodecrewError('USAGE_INVALID', `cannot listen on ${host}:${options.port ?? 7420}: ${String(error)}`, {
      cause: error,
    });
  }
  await scheduler.start();
  await webhooks.start();
  const address = app.server.address() as AddressInfo;
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    maxTasks,
    peakRunning: () => scheduler.peak,
    close: async () => {
      stopping = true;
      scheduler.stop();
      closing.abort();
      await app.close();
      await feed.stop();
      await webhooks.close();
    },
  };
}

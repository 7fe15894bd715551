import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { parseDuration, type Config, type Role, type SandboxLimits } from '@codecrew/core';
import { connectBus, startEmbeddedNats, type Bus, type EmbeddedNats } from '@codecrew/bus';
import { createSandboxProvider, startReaper, type SandboxProvider } from '@codecrew/sandbox';
import { AgentWorker } from '@codecrew/agents';

/** A running crew: NATS (embedded unless NATS_URL is set), the bus, sandboxes, and an in-process agent worker. */
export interface Crew extends AsyncDisposable {
  bus: Bus;
  /** Starts filling the sandbox warm pool for these limits (writable and read-only), in the background. */
  prewarm(limits: SandboxLimits): void;
  natsUrl: string;
  embedded: boolean;
  worker: AgentWorker | null;
  /** The sandboxes of the in-process worker; null without one. */
  sandboxes: SandboxProvider | null;
  close(): Promise<void>;
}

/** Starts what a task needs. `withWorker: false` gives just the bus (for remote workers). */
export async function startCrew(opts: {
  config: Config;
  coderConcurrency: number;
  /** Jobs at once of the other roles (default the worker's: 2 each). */
  concurrency?: Partial<Record<Exclude<Role, 'coder'>, number>>;
  withWorker?: boolean;
  /**
   * The embedded NATS keeps its JetStream store in `<dataDir>/nats/<natsStore>`; default `run-<pid>`. A
   * store named after a task outlives a killed run, so that `codecrew resume` finds its results again.
   */
  natsStore?: string;
  /** Keep the embedded NATS's store when the crew closes (a server's, which later starts resume from). */
  keepNatsStore?: boolean;
  /** Containers kept warm per kind of sandbox; defaults to `sandbox.warm`. */
  warm?: number;
  say?: (line: string) => void;
}): Promise<Crew> {
  const { config } = opts;
  const say = opts.say ?? (() => undefined);
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    let natsUrl = config.nats.url;
    let nats: EmbeddedNats | null = null;
    if (natsUrl === undefined) {
      const store = opts.natsStore ?? `run-${process.pid}`;
      const dataDir = join(config.dataDir, 'nats', store);
      nats = await startEmbeddedNats({
        dataDir,
        binary: config.nats.binary,
        logFile: join(config.dataDir, 'nats', `${store}.log`),
      });
      natsUrl = nats.url;
      const started = nats;
      cleanups.push(async () => {
        await started.stop();
        if (opts.keepNatsStore !== true) await rm(dataDir, { recursive: true, force: true });
      });
      say(`NATS: embedded nats-server at ${natsUrl}`);
    } else {
      say(`NATS: ${natsUrl}`);
    }
    const bus = await connectBus({ servers: natsUrl, name: `codecrew-${process.pid}`, prefix: config.nats.prefix });
    cleanups.push(() => bus.close());
    let worker: AgentWorker | null = null;
    let provider: SandboxProvider | null = null;
    let prewarm: Crew['prewarm'] = () => undefined;
    if (opts.withWorker !== false) {
      const sandboxes = await createSandboxProvider(
        { ...config.sandbox, warm: opts.warm ?? config.sandbox.warm, dataDir: config.dataDir },
        { onProgress: say },
      );
      prewarm = (limits) => {
        for (const readOnly of [false, true]) void sandboxes.prewarm?.(limits, { readOnly }).catch(() => undefined);
      };
      await sandboxes.ensureReady();
      provider = sandboxes;
      say(`sandbox: ${sandboxes.driver} driver`);
      const reaped = await sandboxes.reap();
      if (reaped.length > 0) say(`sandbox: removed ${reaped.length} container(s) left by processes that are gone`);
      const reaper = startReaper(sandboxes, 60_000);
      cleanups.push(async () => reaper.stop());
      cleanups.push(async () => sandboxes.close?.());
      worker = new AgentWorker({
        bus,
        sandboxes,
        workRoot: join(config.dataDir, 'work'),
        concurrency: { ...opts.concurrency, coder: opts.coderConcurrency },
        catalog: config.models.catalog,
        modelRetries: config.models.maxRetries,
        modelTimeoutMs: parseDuration(config.models.timeout),
      });
      await worker.start();
      const running = worker;
      cleanups.push(() => running.stop());
    }
    return {
      bus,
      natsUrl,
      embedded: nats !== null,
      worker,
      sandboxes: provider,
      prewarm: (limits) => prewarm(limits),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

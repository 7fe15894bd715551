import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { CodecrewError } from '@codecrew/core';
import { busNames } from './names.ts';
import type { BusNames } from './names.ts';
import type { BusOptions } from './types.ts';

/** What every part of the bus shares: the connection, JetStream handles, names and error reporting. */
export interface BusContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: BusNames;
  /** The connection name, recorded as `worker` in results built by the bus. */
  name: string;
  report(message: string, error?: unknown): void;
}

const DAY_MS = 24 * 3_600_000;
const nanos = (ms: number): number => ms * 1_000_000;

function unavailable(servers: string, why: string, cause: unknown): CodecrewError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CodecrewError('NATS_UNAVAILABLE', `${why} at ${servers} (${detail}); ${hintFor(why)}`, {
    retryable: true,
    details: { servers },
    cause,
  });
}

function hintFor(why: string): string {
  return why.includes('JetStream')
    ? 'run nats-server with JetStream enabled (-js)'
    : 'start nats-server there, or unset NATS_URL to let codecrew start its own';
}

/**
 * How long a JetStream API request (a publish's ack, a stream or consumer call, a KV or object read) may
 * take before it fails. The client's 5 s default is short for a busy machine: a crew on two cores under
 * load, with the server, the workers and the orchestrator in one process, has seen ordinary requests pass
 * it; a loaded but working server is waited for, a dead one still fails within this time.
 */
const JETSTREAM_TIMEOUT_MS = 30_000;

/** Connects to NATS and makes sure the streams exist; NATS_UNAVAILABLE with the URL when it cannot. */
export async function openContext(opts: BusOptions): Promise<BusContext> {
  const names = busNames(opts.prefix ?? 'crew');
  let nc: NatsConnection;
  try {
    // noAsyncTraces: no stack trace is captured for every request and publish (a busy crew makes thousands);
    // the bus's own errors say which operation failed.
    nc = await connect({
      servers: opts.servers.split(',').map((s) => s.trim()),
      name: opts.name,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
    });
  } catch (error) {
    throw unavailable(opts.servers, 'cannot connect to NATS', error);
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS });
    await ensureStreams(jsm, names);
    const report = opts.onError ?? defaultReport;
    return { nc, js: jetstream(nc, { timeout: JETSTREAM_TIMEOUT_MS }), jsm, names, name: opts.name, report };
  } catch (error) {
    await nc.close().catch(() => undefined);
    if (error instanceof CodecrewError) throw error;
    throw unavailable(opts.servers, 'NATS JetStream is not usable', error);
  }
}

function defaultReport(message: string, error?: unknown): void {
  const detail = error === undefined ? '' : `: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`[codecrew bus] ${message}${detail}\n`);
}

async function ensureStreams(jsm: JetStreamManager, names: BusNames): Promise<void> {
  const p = names.prefix;
  await ensureStream(jsm, {
    name: names.jobsStream,
    subjects: [`${p}.jobs.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(10 * 60_000),
  });
  await ensureStream(jsm, {
    name: names.resultsStream,
    subjects: [`${p}.results.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(7 * DAY_MS),
  });
  await ensureStream(jsm, {
    name: names.eventsStream,
    subjects: [`${p}.events.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(7 * DAY_MS),
  });
  await ensureStream(jsm, {
    name: names.steeringStream,
    subjects: [`${p}.steering.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(7 * DAY_MS),
    // A job reads its task's messages by subject from a sequence on (direct get), before each model call.
    allow_direct: true,
    duplicate_window: nanos(10 * 60_000),
  });
}

/** Creates a stream, or accepts the one already there (another process may have created it first). */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    try {
      await jsm.streams.info(config.name);
    } catch {
      throw new CodecrewError('NATS_UNAVAILABLE', `cannot create JetStream stream ${config.name}: ${String(error)}`, {
        cause: error,
      });
    }
  }
}

import type { KV } from '@nats-io/kv';
import { CodecrewError, Role } from '@codecrew/core';
import type { BusContext } from './context.ts';
import { decodeJson, encodeJson } from './codec.ts';
import type { Stoppable, WorkerInfo } from './types.ts';

const KEY = /^[-/_=.a-zA-Z0-9]+$/;

function parseWorker(value: unknown): WorkerInfo | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const roles = Array.isArray(r['roles']) ? r['roles'].map((role) => Role.safeParse(role)) : null;
  if (
    typeof r['id'] !== 'string' ||
    typeof r['host'] !== 'string' ||
    typeof r['pid'] !== 'number' ||
    typeof r['seenAt'] !== 'string' ||
    roles === null ||
    roles.some((role) => !role.success)
  ) {
    return null;
  }
  return {
    id: r['id'],
    roles: roles.flatMap((role) => (role.success ? [role.data] : [])),
    host: r['host'],
    pid: r['pid'],
    seenAt: r['seenAt'],
  };
}

/**
 * Writes the worker's entry now and again every `ttlMs / 3`; the bucket's TTL removes it when the
 * heartbeats stop. `stop()` deletes it at once.
 */
export async function registerWorker(
  ctx: BusContext,
  kv: KV,
  ttlMs: number,
  info: Omit<WorkerInfo, 'seenAt'>,
): Promise<Stoppable & { halt(): void }> {
  if (!KEY.test(info.id))
    throw new CodecrewError('INTERNAL', `worker id "${info.id}" may contain only letters, digits and - / _ = .`);
  const put = (): Promise<number> =>
    kv.put(
      info.id,
      encodeJson({ id: info.id, roles: info.roles, host: info.host, pid: info.pid, seenAt: new Date().toISOString() }),
    );
  await put();
  const timer = setInterval(
    () => {
      put().catch((error: unknown) => ctx.report(`worker ${info.id} heartbeat failed`, error));
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  let stopped = false;
  return {
    halt() {
      stopped = true;
      clearInterval(timer);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await kv.delete(info.id);
    },
  };
}

/**
 * Every worker whose entry has not expired, by id. Keys come from the stream's per-subject counts rather
 * than `kv.keys()`, whose watcher keeps receiving the heartbeats of live workers and may not end.
 */
export async function listWorkers(ctx: BusContext, kv: KV): Promise<WorkerInfo[]> {
  const bucket = ctx.names.workersBucket;
  const subjectPrefix = `$KV.${bucket}.`;
  const info = await ctx.jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${subjectPrefix}>` });
  const keys = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(subjectPrefix.length));
  const workers: WorkerInfo[] = [];
  for (const key of keys.sort()) {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') continue;
    const worker = parseWorker(decodeJson(entry.value));
    if (worker === null) ctx.report(`ignoring an invalid worker entry ${key}`);
    else workers.push(worker);
  }
  return workers;
}

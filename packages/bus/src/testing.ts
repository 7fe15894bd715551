import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toSafeToken } from '@codecrew/core';
import { startEmbeddedNats } from './embedded/launch.ts';
import type { EmbeddedNats } from './embedded/launch.ts';

/**
 * Starts a real nats-server with JetStream for a test, in a fresh temp dir that `stop()` removes.
 * Fails with NATS_START_FAILED and an install hint when nats-server is missing: tests never skip.
 *
 * @example
 * const nats = await startNats('dispatch and consume');
 * afterAll(() => nats.stop());
 */
export async function startNats(testName: string): Promise<EmbeddedNats> {
  const dataDir = await mkdtemp(join(tmpdir(), `codecrew-nats-${toSafeToken(testName, 32)}-`));
  let server: EmbeddedNats;
  try {
    server = await startEmbeddedNats({ dataDir });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async (): Promise<void> => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { url: server.url, dataDir, pid: server.pid, stop, [Symbol.asyncDispose]: stop };
}

/** A bus prefix unique to one test: subjects, streams and buckets of different tests never collide. */
export function testPrefix(testName: string): string {
  return `t${toSafeToken(testName, 24).replace(/-/g, '_')}_${randomBytes(3).toString('hex')}`;
}

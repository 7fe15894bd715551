import { createHash } from 'node:crypto';
import type { ObjectStore } from '@nats-io/obj';
import { ArtifactRef, CodecrewError, INLINE_ARTIFACT_MAX_BYTES } from '@codecrew/core';
import type { ArtifactCache } from './artifact-cache.ts';

/** How an artifact is written (see {@link putArtifact}). */
export interface PutArtifactOptions {
  /**
   * Many jobs will read it (a tree every coder of a wave starts from): it is
   * stored whatever its size, its reference carries its sha256 instead of the
   * bytes, and processes that hold those bytes serve them from memory.
   */
  shared?: boolean;
}

/** How long one read of a stored artifact may take, and how many reads are tried before giving up. */
export interface ArtifactReadTiming {
  attemptTimeoutMs: number;
  attempts: number;
}

/**
 * An object read streams its chunks through a push consumer, which can stall without an error (seen after
 * a restart of the server); on loopback a tree arrives in well under a second, so a read that takes this
 * long is tried again on a new consumer.
 */
const DEFAULT_READ_TIMING: ArtifactReadTiming = { attemptTimeoutMs: 30_000, attempts: 3 };

const sha256Of = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Stores bytes under `name` (which may contain `/` and `.`), replacing an
 * artifact of the same name; bytes up to {@link INLINE_ARTIFACT_MAX_BYTES}
 * are not stored but carried in the returned reference, unless `shared`.
 */
export async function putArtifact(
  store: ObjectStore,
  cache: ArtifactCache,
  name: string,
  data: Uint8Array,
  options: PutArtifactOptions = {},
): Promise<ArtifactRef> {
  if (name.length === 0) throw new CodecrewError('INTERNAL', 'an artifact needs a non-empty name');
  if (options.shared === true) {
    const sha256 = sha256Of(data);
    await store.putBlob({ name }, data);
    cache.put(sha256, data);
    return ArtifactRef.parse({ name, size: data.length, sha256 });
  }
  if (data.length <= INLINE_ARTIFACT_MAX_BYTES) {
    return ArtifactRef.parse({
      name,
      size: data.length,
      inline: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    });
  }
  const info = await store.putBlob({ name }, data);
  return ArtifactRef.parse({ name, size: info.size });
}

/**
 * Reads an artifact (from its reference when it travels inline, from memory
 * when it is shared and this process holds it); ARTIFACT_NOT_FOUND when no
 * artifact has that name, ARTIFACT_INVALID when the bytes are not the ones
 * the reference describes.
 */
export function getArtifact(
  store: ObjectStore,
  cache: ArtifactCache,
  ref: ArtifactRef | string,
  timing: ArtifactReadTiming = DEFAULT_READ_TIMING,
): Promise<Uint8Array> {
  if (typeof ref === 'string' || ref.sha256 === undefined) return readArtifact(store, ref, timing);
  const sha256 = ref.sha256;
  return cache.get(sha256, ref.size, async () => {
    const data = await readArtifact(store, ref, timing);
    if (sha256Of(data) !== sha256) {
      throw new CodecrewError(
        'ARTIFACT_INVALID',
        `artifact "${ref.name}" does not match the sha256 its reference gives: it was replaced after the reference was made, or damaged; run the job again`,
        {
          details: { name: ref.name, sha256 },
        },
      );
    }
    return data;
  });
}

async function readArtifact(
  store: ObjectStore,
  ref: ArtifactRef | string,
  timing: ArtifactReadTiming,
): Promise<Uint8Array> {
  if (typeof ref !== 'string' && ref.inline !== undefined) {
    const data = Buffer.from(ref.inline, 'base64');
    if (data.length !== ref.size) {
      throw new CodecrewError(
        'ARTIFACT_INVALID',
        `artifact "${ref.name}" carries ${data.length} bytes inline but claims ${ref.size}: the message was damaged or written by another codecrew version; run the job again`,
        {
          details: { name: ref.name, size: ref.size, carried: data.length },
        },
      );
    }
    return data;
  }
  const name = typeof ref === 'string' ? ref : ref.name;
  const data = await readBlob(store, name, timing);
  if (data === null) {
    throw new CodecrewError(
      'ARTIFACT_NOT_FOUND',
      `artifact "${name}" is not in the artifact store; it may have been produced on another NATS server or deleted`,
      { details: { name } },
    );
  }
  return data;
}

/**
 * `store.getBlob(name)`, tried again when an attempt stalls; NATS_UNAVAILABLE (retryable) once every
 * attempt has. A stalled attempt is left behind: it holds nothing but its consumer, which the server drops.
 */
async function readBlob(store: ObjectStore, name: string, timing: ArtifactReadTiming): Promise<Uint8Array | null> {
  for (let attempt = 1; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), timing.attemptTimeoutMs);
    });
    try {
      const outcome = await Promise.race([store.getBlob(name), stalled]);
      if (outcome !== 'stalled') return outcome;
    } finally {
      clearTimeout(timer);
    }
    if (attempt >= timing.attempts) {
      throw new CodecrewError(
        'NATS_UNAVAILABLE',
        `reading artifact "${name}" from NATS stalled ${timing.attempts} times (${timing.attemptTimeoutMs} ms each); check the NATS server`,
        { retryable: true, details: { name, attempts: timing.attempts, attemptTimeoutMs: timing.attemptTimeoutMs } },
      );
    }
  }
}

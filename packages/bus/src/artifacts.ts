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
export function getArtifact(store: ObjectStore, cache: ArtifactCache, ref: ArtifactRef | string): Promise<Uint8Array> {
  if (typeof ref === 'string' || ref.sha256 === undefined) return readArtifact(store, ref);
  const sha256 = ref.sha256;
  return cache.get(sha256, ref.size, async () => {
    const data = await readArtifact(store, ref);
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

async function readArtifact(store: ObjectStore, ref: ArtifactRef | string): Promise<Uint8Array> {
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
  const data = await store.getBlob(name);
  if (data === null) {
    throw new CodecrewError(
      'ARTIFACT_NOT_FOUND',
      `artifact "${name}" is not in the artifact store; it may have been produced on another NATS server or deleted`,
      { details: { name } },
    );
  }
  return data;
}

import type { ObjectStore } from '@nats-io/obj';
import { ArtifactRef, CodecrewError, INLINE_ARTIFACT_MAX_BYTES } from '@codecrew/core';

/**
 * Stores bytes under `name` (which may contain `/` and `.`), replacing an
 * artifact of the same name; bytes up to {@link INLINE_ARTIFACT_MAX_BYTES}
 * are not stored but carried in the returned reference.
 */
export async function putArtifact(store: ObjectStore, name: string, data: Uint8Array): Promise<ArtifactRef> {
  if (name.length === 0) throw new CodecrewError('INTERNAL', 'an artifact needs a non-empty name');
  if (data.length <= INLINE_ARTIFACT_MAX_BYTES) {
    return ArtifactRef.parse({ name, size: data.length, inline: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') });
  }
  const info = await store.putBlob({ name }, data);
  return ArtifactRef.parse({ name, size: info.size });
}

/** Reads an artifact (from its reference when it travels inline); ARTIFACT_NOT_FOUND when no artifact has that name. */
export async function getArtifact(store: ObjectStore, ref: ArtifactRef | string): Promise<Uint8Array> {
  if (typeof ref !== 'string' && ref.inline !== undefined) {
    const data = Buffer.from(ref.inline, 'base64');
    if (data.length !== ref.size) {
      throw new CodecrewError('ARTIFACT_INVALID', `artifact "${ref.name}" carries ${data.length} bytes inline but claims ${ref.size}: the message was damaged or written by another codecrew version; run the job again`, {
        details: { name: ref.name, size: ref.size, carried: data.length },
      });
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

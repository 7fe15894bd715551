import type { ObjectStore } from '@nats-io/obj';
import { ArtifactRef, CodecrewError } from '@codecrew/core';

/** Stores bytes under `name` (which may contain `/` and `.`), replacing an artifact of the same name. */
export async function putArtifact(store: ObjectStore, name: string, data: Uint8Array): Promise<ArtifactRef> {
  if (name.length === 0) throw new CodecrewError('INTERNAL', 'an artifact needs a non-empty name');
  const info = await store.putBlob({ name }, data);
  return ArtifactRef.parse({ name, size: info.size });
}

/** Reads an artifact; ARTIFACT_NOT_FOUND when no artifact has that name. */
export async function getArtifact(store: ObjectStore, ref: ArtifactRef | string): Promise<Uint8Array> {
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

import type { ObjectStore } from '@nats-io/obj';
import { describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { ArtifactCache } from '../src/artifact-cache.ts';
import { getArtifact } from '../src/artifacts.ts';

/** An object store whose reads answer as `answers` say, in turn: bytes, or never. */
function storeAnswering(answers: Array<Uint8Array | 'never'>): { store: ObjectStore; reads: () => number } {
  let reads = 0;
  const store = {
    getBlob: (): Promise<Uint8Array | null> => {
      const answer = answers[Math.min(reads, answers.length - 1)];
      reads += 1;
      return answer === 'never' || answer === undefined ? new Promise(() => undefined) : Promise.resolve(answer);
    },
  } as unknown as ObjectStore;
  return { store, reads: () => reads };
}

const timing = { attemptTimeoutMs: 50, attempts: 3 };

describe('reading a stored artifact', () => {
  it('tries again on a new read when one stalls, and returns the bytes of the one that answers', async () => {
    const bytes = new TextEncoder().encode('tree');
    const { store, reads } = storeAnswering(['never', bytes]);
    const data = await getArtifact(store, new ArtifactCache(), { name: 'tree', size: bytes.length }, timing);
    expect(new TextDecoder().decode(data)).toBe('tree');
    expect(reads()).toBe(2);
  });

  it('gives up with a retryable NATS_UNAVAILABLE naming the artifact once every attempt stalled', async () => {
    const { store, reads } = storeAnswering(['never']);
    const error: unknown = await getArtifact(store, new ArtifactCache(), 'trees/t1', timing).catch((e: unknown) => e);
    expect(isCodecrewError(error) && error.code).toBe('NATS_UNAVAILABLE');
    expect(isCodecrewError(error) && error.retryable).toBe(true);
    expect((error as Error).message).toContain('"trees/t1"');
    expect(reads()).toBe(3);
  });
});

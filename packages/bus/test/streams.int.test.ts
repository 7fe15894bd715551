import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactRef, CodecrewError, INLINE_ARTIFACT_MAX_BYTES, newId } from '@codecrew/core';
import type { TraceEvent } from '@codecrew/core';
import { connectBus } from '@codecrew/bus';
import type { Bus, ControlMessage, EmbeddedNats } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import { eventually, sleep } from './fixtures.ts';

let nats: EmbeddedNats;
beforeAll(async () => {
  nats = await startNats('bus streams');
});
afterAll(async () => {
  await nats?.stop();
});

async function withBus(
  name: string,
  body: (bus: Bus, open: (n: string) => Promise<Bus>) => Promise<void>,
  workerTtlMs?: number,
): Promise<void> {
  const prefix = testPrefix(name);
  const buses: Bus[] = [];
  const open = async (n: string): Promise<Bus> => {
    const opts = { servers: nats.url, name: n, prefix, onError: () => undefined };
    const bus = await connectBus(workerTtlMs === undefined ? opts : { ...opts, workerTtlMs });
    buses.push(bus);
    return bus;
  };
  try {
    await body(await open(`${name}-main`), open);
  } finally {
    await Promise.all(buses.map((b) => b.close()));
  }
}

function event(taskId: string, kind: TraceEvent['kind'], message: string): TraceEvent {
  return { taskId, kind, at: new Date().toISOString(), message, data: { message } };
}

describe('events', () => {
  it('delivers live events of one task in order, and readEvents returns the stored ones in order', async () => {
    await withBus('events', async (bus, open) => {
      const taskId = newId('task_');
      const otherTask = newId('task_');
      const viewer = await open('viewer');
      const live: TraceEvent[] = [];
      const all: string[] = [];
      const sub = await viewer.subscribeEvents(taskId, (e) => live.push(e));
      const subAll = await viewer.subscribeEvents('*', (e) => all.push(`${e.taskId}:${e.message}`));

      const sent = [
        event(taskId, 'task.started', 'start'),
        event(otherTask, 'log', 'elsewhere'),
        ...Array.from({ length: 20 }, (_, i) => event(taskId, 'model.call', `call ${i}`)),
        { ...event(taskId, 'job.finished', 'done'), jobId: 'job_1', role: 'coder' as const, subtaskId: 's1' },
        event(taskId, 'task.finished', 'end'),
      ];
      for (const e of sent) await bus.publishEvent(e);
      const mine = sent.filter((e) => e.taskId === taskId);

      expect(await eventually(() => live.length === mine.length && all.length === sent.length, 5_000)).toEqual(true);
      expect(live).toEqual(mine);
      expect(all).toEqual(sent.map((e) => `${e.taskId}:${e.message}`));
      expect(await viewer.readEvents(taskId)).toEqual(mine);
      expect(await viewer.readEvents(otherTask)).toEqual([sent[1]]);
      expect(await viewer.readEvents(newId('task_'))).toEqual([]);

      await sub.stop();
      await bus.publishEvent(event(taskId, 'log', 'after stop'));
      await sleep(300);
      expect(live.length).toEqual(mine.length);
      await subAll.stop();
    });
  });

  it('reads more events than one fetch batch, in order', async () => {
    await withBus('many events', async (bus) => {
      const taskId = newId('task_');
      const sent = Array.from({ length: 1_200 }, (_, i) => event(taskId, 'log', `line ${i}`));
      for (const e of sent) await bus.publishEvent(e);
      const read = await bus.readEvents(taskId);
      expect(read.length).toEqual(1_200);
      expect(read.map((e) => e.message)).toEqual(sent.map((e) => e.message));
    });
  });

  it('stores events published without waiting for each other in the order they were published', async () => {
    await withBus('burst of events', async (bus) => {
      const taskId = newId('task_');
      const sent = Array.from({ length: 60 }, (_, i) => event(taskId, 'log', `burst ${i}`));
      // As a wave of agents emits them: none waits for the previous one, some come a turn of the loop later.
      const stored: Array<Promise<void>> = [];
      for (const [i, e] of sent.entries()) {
        stored.push(bus.publishEvent(e));
        if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(stored);
      expect((await bus.readEvents(taskId)).map((e) => e.message)).toEqual(sent.map((e) => e.message));
    });
  });

  it('rejects an invalid event before publishing', async () => {
    await withBus('bad event', async (bus) => {
      const bad = { taskId: 'task_x', kind: 'nonsense', at: 'now', message: 'x', data: {} } as unknown as TraceEvent;
      await expect(bus.publishEvent(bad)).rejects.toThrow(/kind/);
      expect(await bus.readEvents('task_x')).toEqual([]);
    });
  });
});

describe('control', () => {
  it('delivers cancel and steer messages to subscribers of the task and of all tasks', async () => {
    await withBus('control', async (bus, open) => {
      const taskId = newId('task_');
      const runner = await open('runner');
      const forTask: Array<ControlMessage & { taskId: string }> = [];
      const forAll: Array<ControlMessage & { taskId: string }> = [];
      const sub = await runner.subscribeControl(taskId, (m) => forTask.push(m));
      const subAll = await runner.subscribeControl('*', (m) => forAll.push(m));

      await bus.publishControl(taskId, { type: 'steer', text: 'prefer small functions' });
      await bus.publishControl('task_other', { type: 'cancel', reason: 'user pressed stop' });
      await bus.publishControl(taskId, { type: 'cancel', reason: 'budget' });

      expect(await eventually(() => forTask.length === 2 && forAll.length === 3, 5_000)).toEqual(true);
      expect(forTask).toEqual([
        { type: 'steer', text: 'prefer small functions', taskId },
        { type: 'cancel', reason: 'budget', taskId },
      ]);
      expect(forAll).toEqual([
        { type: 'steer', text: 'prefer small functions', taskId },
        { type: 'cancel', reason: 'user pressed stop', taskId: 'task_other' },
        { type: 'cancel', reason: 'budget', taskId },
      ]);
      await sub.stop();
      await subAll.stop();
    });
  });
});

describe('artifacts', () => {
  it('round-trips a 3 MB buffer under a name with / and .', async () => {
    await withBus('artifacts', async (bus, open) => {
      const data = new Uint8Array(randomBytes(3 * 1024 * 1024));
      const ref = await bus.putArtifact('tasks/t1/patches/coder-1.patch', data);
      expect(ref).toEqual({ name: 'tasks/t1/patches/coder-1.patch', size: 3 * 1024 * 1024 });
      const reader = await open('reader');
      const back = await reader.getArtifact(ref);
      expect(back.length).toEqual(data.length);
      expect(Buffer.from(back).equals(Buffer.from(data))).toEqual(true);
      expect(Buffer.from(await reader.getArtifact(ref.name)).equals(Buffer.from(data))).toEqual(true);

      const replacement = new Uint8Array(randomBytes(INLINE_ARTIFACT_MAX_BYTES + 1));
      await bus.putArtifact('tasks/t1/patches/coder-1.patch', replacement);
      expect(Buffer.from(await reader.getArtifact(ref)).equals(Buffer.from(replacement))).toEqual(true);
    });
  });

  it('carries small artifacts in the reference, without a trip to the store, and checks their size', async () => {
    await withBus('inline artifacts', async (bus, open) => {
      const small = new Uint8Array(randomBytes(INLINE_ARTIFACT_MAX_BYTES));
      const ref = await bus.putArtifact('tasks/t1/files/coder-1.bin', small);
      expect(ref).toEqual({
        name: 'tasks/t1/files/coder-1.bin',
        size: small.length,
        inline: Buffer.from(small).toString('base64'),
      });
      const reader = await open('reader');
      expect(Buffer.from(await reader.getArtifact(ref)).equals(Buffer.from(small))).toEqual(true);
      expect(ArtifactRef.parse(ref)).toEqual(ref);
      // Only in the reference: the store has nothing under that name.
      expect(await reader.getArtifact(ref.name).catch((e: unknown) => (e as CodecrewError).code)).toEqual(
        'ARTIFACT_NOT_FOUND',
      );
      const empty = await bus.putArtifact('empty.txt', new Uint8Array(0));
      expect(empty).toEqual({ name: 'empty.txt', size: 0, inline: '' });
      expect((await bus.getArtifact(empty)).length).toEqual(0);
      const lying = await bus.getArtifact({ ...ref, size: ref.size + 1 }).catch((e: unknown) => e);
      expect((lying as CodecrewError).code).toEqual('ARTIFACT_INVALID');
    });
  });

  it('stores shared artifacts whatever their size, refers to them by sha256 and serves them again from memory', async () => {
    await withBus('shared artifacts', async (bus, open) => {
      const small = new Uint8Array(randomBytes(1024));
      const ref = await bus.putArtifact('tasks/t1/trees/abc.tar', small, { shared: true });
      expect(ref).toEqual({
        name: 'tasks/t1/trees/abc.tar',
        size: small.length,
        sha256: createHash('sha256').update(small).digest('hex'),
      });
      expect(ArtifactRef.parse(ref)).toEqual(ref);
      // Stored, for a process that has never seen it.
      const reader = await open('reader');
      const [one, two] = await Promise.all([reader.getArtifact(ref), reader.getArtifact(ref)]);
      expect(Buffer.from(one).equals(Buffer.from(small))).toEqual(true);
      // Jobs starting together fetch it once.
      expect(two).toBe(one);
      // Replaced in the store: a process that holds the bytes of this digest still serves them; one that
      // reads the store finds other bytes than the reference describes and says so.
      await bus.putArtifact('tasks/t1/trees/abc.tar', new Uint8Array(randomBytes(1024)), { shared: true });
      expect(await reader.getArtifact(ref)).toBe(one);
      const stranger = await open('stranger');
      const error = await stranger.getArtifact(ref).catch((e: unknown) => e);
      expect((error as CodecrewError).code).toEqual('ARTIFACT_INVALID');
      expect((error as CodecrewError).message).toContain('tasks/t1/trees/abc.tar');
      // A failed read is not kept: once the bytes are back, the reference reads again.
      await bus.putArtifact('tasks/t1/trees/abc.tar', small, { shared: true });
      expect(Buffer.from(await stranger.getArtifact(ref)).equals(Buffer.from(small))).toEqual(true);
    });
  });

  it('throws ARTIFACT_NOT_FOUND for a missing artifact', async () => {
    await withBus('missing artifact', async (bus) => {
      const error = await bus.getArtifact('no/such.thing').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CodecrewError);
      expect((error as CodecrewError).code).toEqual('ARTIFACT_NOT_FOUND');
      expect((error as CodecrewError).message).toContain('no/such.thing');
    });
  });
});

describe('workers', () => {
  it('lists registered workers, removes stopped ones at once and dead ones after the TTL', async () => {
    await withBus(
      'workers',
      async (bus, open) => {
        const crashing = await open('crashing');
        const a = await bus.registerWorker({ id: 'w-a', roles: ['coder', 'tester'], host: 'host-a', pid: 101 });
        await crashing.registerWorker({ id: 'w-b', roles: ['reviewer'], host: 'host-b', pid: 202 });

        const listed = await bus.listWorkers();
        expect(listed.map(({ seenAt: _seenAt, ...w }) => w)).toEqual([
          { id: 'w-a', roles: ['coder', 'tester'], host: 'host-a', pid: 101 },
          { id: 'w-b', roles: ['reviewer'], host: 'host-b', pid: 202 },
        ]);
        expect(listed.every((w) => Date.now() - Date.parse(w.seenAt) < 5_000)).toEqual(true);

        // Heartbeats keep a live worker past the TTL.
        await sleep(2_500);
        expect((await bus.listWorkers()).map((w) => w.id)).toEqual(['w-a', 'w-b']);

        await crashing.close(); // no deregistration: the entry must expire
        await a.stop();
        expect((await bus.listWorkers()).map((w) => w.id)).toEqual(['w-b']);
        expect(await eventually(async () => (await bus.listWorkers()).length === 0, 6_000)).toEqual(true);
      },
      1_500,
    );
  });
});

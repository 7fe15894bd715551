import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSteeringMessage, type TraceKind } from '@codecrew/core';
import { connectBus, type Bus, type EmbeddedNats } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import { JobSteeringInbox } from '../src/index.ts';

let nats: EmbeddedNats;
let bus: Bus;
beforeAll(async () => {
  nats = await startNats('steering inbox');
  bus = await connectBus({
    servers: nats.url,
    name: 'steering inbox',
    prefix: testPrefix('steering inbox'),
    onError: () => undefined,
  });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

const coderS1 = { id: 'task_a-code-s1-r0', taskId: 'task_a', role: 'coder', subtaskId: 's1' } as const;

/** An inbox of the s1 coder, and the delivery events it emits. */
function inboxOf(job: typeof coderS1 = coderS1) {
  const delivered: Array<{ kind: TraceKind; data: Record<string, unknown> }> = [];
  const inbox = new JobSteeringInbox(bus, job, (kind, _message, data = {}) => delivered.push({ kind, data }));
  return { inbox, delivered };
}

describe('a job steering inbox on NATS', () => {
  it('hands a job what was said before it started and what is said later, once each, and only what is for it', async () => {
    const before = newSteeringMessage('task_a', 'use tabs', { kind: 'subtask', subtaskId: 's1' });
    await bus.publishSteering(before);
    await bus.publishSteering(newSteeringMessage('task_a', 'for s2 only', { kind: 'subtask', subtaskId: 's2' }));
    await bus.publishSteering(newSteeringMessage('task_b', 'another task'));
    const { inbox, delivered } = inboxOf();
    expect(await inbox.take()).toEqual(['use tabs']);
    expect(await inbox.take()).toEqual([]);

    const later = newSteeringMessage('task_a', 'everyone: keep it short');
    await bus.publishSteering(later);
    // Published again with the same id (a client retrying): stored once.
    await bus.publishSteering(later);
    expect(await inbox.take()).toEqual(['everyone: keep it short']);
    expect(delivered).toEqual([
      { kind: 'user.message.delivered', data: { messageId: before.id, to: 's1', text: 'use tabs' } },
      { kind: 'user.message.delivered', data: { messageId: later.id, to: 'task', text: 'everyone: keep it short' } },
    ]);
    expect(await bus.appliedSteering('task_a', coderS1.id)).toEqual([before.id, later.id]);
  });

  it('gives a redelivered job the messages again for its new conversation without announcing them twice', async () => {
    const { inbox, delivered } = inboxOf();
    expect(await inbox.take()).toEqual(['use tabs', 'everyone: keep it short']);
    expect(delivered).toEqual([]);
    const fresh = newSteeringMessage('task_a', 'one more thing', { kind: 'job', jobId: coderS1.id });
    await bus.publishSteering(fresh);
    expect(await inbox.take()).toEqual(['one more thing']);
    expect(delivered.map((event) => event.data['messageId'])).toEqual([fresh.id]);
  });
});

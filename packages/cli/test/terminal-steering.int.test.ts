import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type EmbeddedNats } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';
import type { Io } from '../src/io.ts';
import { steerFromTerminal } from '../src/runtime/terminal-steering.ts';

let nats: EmbeddedNats;
let bus: Bus;
beforeAll(async () => {
  nats = await startNats('terminal steering');
  bus = await connectBus({
    servers: nats.url,
    name: 'terminal steering',
    prefix: testPrefix('terminal steering'),
    onError: () => undefined,
  });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

/** A terminal to type into, and what the command printed. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const printed: string[] = [];
  const io: Io = { out: (line) => printed.push(line), err: (line) => printed.push(`error: ${line}`), color: false };
  return { input, io, printed };
}

/** Waits until the task has `count` stored steering messages; their texts. */
async function storedTexts(taskId: string, count: number): Promise<string[]> {
  for (;;) {
    const stored = await bus.readSteering(taskId, 0);
    if (stored.length >= count) return stored.map((entry) => entry.message.text);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('lines typed in the terminal of codecrew run', () => {
  it('go to the whole task, except while paused; blank lines are skipped', async () => {
    const { input, io, printed } = terminal();
    const steering = steerFromTerminal(bus, 'task_run', io, input);
    expect(steering).not.toBeNull();
    input.write('  use tabs \n\n');
    expect(await storedTexts('task_run', 1)).toEqual(['use tabs']);
    steering?.pause();
    input.write('approve\n');
    steering?.resume();
    input.write('and keep it short\n');
    expect(await storedTexts('task_run', 2)).toEqual(['use tabs', 'and keep it short']);
    expect((await bus.readSteering('task_run', 0)).map((entry) => entry.message.to)).toEqual([
      { kind: 'task' },
      { kind: 'task' },
    ]);
    const events = (await bus.readEvents('task_run')).filter((event) => event.kind === 'user.message');
    expect(events.map((event) => event.data['text'])).toEqual(['use tabs', 'and keep it short']);
    steering?.stop();
    while (printed.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(printed).toEqual(['you → task: use tabs', 'you → task: and keep it short']);
  });

  it('are not read when stdin is not a terminal', () => {
    const { io } = terminal();
    expect(steerFromTerminal(bus, 'task_piped', io, new PassThrough())).toBeNull();
  });
});

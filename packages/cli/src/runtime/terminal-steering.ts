import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { newSteeringMessage, steeringEvent } from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import type { Io } from '../io.ts';

/** Stops reading the terminal. */
export interface TerminalSteering {
  stop(): void;
}

/**
 * While a task runs in a terminal, each line typed there goes to the task's agents as a message from
 * the user (to the whole task), as `codecrew say` sends it. Does nothing when `input` is not a TTY, so a
 * piped or redirected stdin is never read as messages.
 */
export function steerFromTerminal(
  bus: Pick<Bus, 'publishEvent' | 'publishSteering'>,
  taskId: string,
  io: Io,
  input: Readable & { isTTY?: boolean } = process.stdin,
): TerminalSteering | null {
  if (input.isTTY !== true) return null;
  const lines = createInterface({ input, terminal: false });
  lines.on('line', (line) => {
    const text = line.trim();
    if (text === '') return;
    const message = newSteeringMessage(taskId, text);
    bus
      .publishEvent(steeringEvent(message))
      .then(() => bus.publishSteering(message))
      .then(
        () => io.out(`you → task: ${text}`),
        (error: unknown) =>
          io.err(`codecrew: the message was not sent: ${error instanceof Error ? error.message : String(error)}`),
      );
  });
  return {
    stop() {
      lines.close();
      input.pause();
    },
  };
}

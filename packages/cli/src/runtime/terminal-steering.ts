import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { newSteeringMessage, steeringEvent } from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import type { Io } from '../io.ts';

/** Lines typed in the terminal, sent to the task's agents. */
export interface TerminalSteering {
  /** Lines typed from now on are left to whoever else reads the terminal (a question the run asks). */
  pause(): void;
  /** Lines typed from now on are sent again. */
  resume(): void;
  /** Stops reading the terminal. */
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
  let paused = false;
  lines.on('line', (line) => {
    const text = line.trim();
    if (paused || text === '') return;
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
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    stop() {
      lines.close();
      input.pause();
    },
  };
}

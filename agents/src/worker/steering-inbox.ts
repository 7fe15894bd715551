import { isSteeringFor, steeringTargetLabel, type SteeringAddressee } from '@codecrew/core';
import type { Bus } from '@codecrew/bus';
import type { SteeringInbox } from '../runtime/steering.ts';
import type { EmitEvent } from '../runtime/tool.ts';

/**
 * A job's steering inbox on the bus: before every model call it reads the task's steering messages
 * stored since its last look (all of them the first time, so a job that starts late gets what was
 * said before), keeps those addressed to the job, and hands each out once.
 *
 * Every message it hands out for the first time is recorded for the job on the bus and announced
 * with a `user.message.delivered` event. A later delivery of the same job starts a new conversation:
 * it gets the messages an earlier delivery applied again, so its model knows them too, but they are
 * not announced or recorded a second time.
 */
export class JobSteeringInbox implements SteeringInbox {
  /** The stream sequence of the last steering message read. */
  #cursor = 0;
  /** Ids applied by this or an earlier delivery of the job; loaded on the first look. */
  #applied: Set<string> | null = null;
  /** Ids already in this conversation. */
  readonly #inConversation = new Set<string>();

  constructor(
    private readonly bus: Pick<Bus, 'readSteering' | 'appliedSteering' | 'recordAppliedSteering'>,
    private readonly job: SteeringAddressee,
    private readonly emit: EmitEvent,
  ) {}

  async take(): Promise<string[]> {
    const { taskId, id: jobId } = this.job;
    let applied: Set<string>;
    let stored: Awaited<ReturnType<Bus['readSteering']>>;
    try {
      this.#applied ??= new Set(await this.bus.appliedSteering(taskId, jobId));
      applied = this.#applied;
      stored = await this.bus.readSteering(taskId, this.#cursor);
    } catch (error) {
      // The job goes on; what was not read is read before the next model call.
      this.#report('could not read the messages from the user; trying again before the next model call', error);
      return [];
    }
    const texts: string[] = [];
    let recorded = false;
    for (const { seq, message } of stored) {
      this.#cursor = Math.max(this.#cursor, seq);
      if (!isSteeringFor(message, this.job) || this.#inConversation.has(message.id)) continue;
      this.#inConversation.add(message.id);
      texts.push(message.text);
      if (applied.has(message.id)) continue;
      applied.add(message.id);
      recorded = true;
      this.emit('user.message.delivered', `message from the user reached ${this.#who()}`, {
        messageId: message.id,
        to: steeringTargetLabel(message.to),
        text: message.text,
      });
    }
    if (recorded) {
      await this.bus
        .recordAppliedSteering(taskId, jobId, [...applied])
        .catch((error: unknown) =>
          this.#report('could not record which messages from the user the job applied', error),
        );
    }
    return texts;
  }

  #report(what: string, error: unknown): void {
    const why = error instanceof Error ? error.message : String(error);
    this.emit('log', `${what}: ${why}`, { error: why });
  }

  #who(): string {
    return `${this.job.role}${this.job.subtaskId === undefined ? '' : ` ${this.job.subtaskId}`} (${this.job.id})`;
  }
}

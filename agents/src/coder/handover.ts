import type { ToolDefinition } from '../runtime/tool.ts';

/**
 * What a coder hands over, worked out ahead: after every step whose tools may
 * have changed the workspace, the hand-over (diff, changed files, uploads) is
 * computed while the model thinks about the next step. When the model then
 * calls `finish` and nothing ran since, the job ends without waiting for git.
 * A tool that starts after a hand-over began makes it stale; stale or failed
 * ones are computed again. Computations run one at a time, in order, so two
 * never share the workspace's index.
 */
export class AheadHandover<T> {
  private generation = 0;
  private latest: { generation: number; result: Promise<T> } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private closed = false;

  /** `schedule` decides when work ahead starts; default: at once. */
  constructor(
    private readonly compute: () => Promise<T>,
    private readonly schedule: (start: () => void) => void = (start) => start(),
  ) {}

  /** Marks the workspace as possibly changed (a tool that writes starts). */
  touched(): void {
    this.generation += 1;
  }

  /** Starts working out the hand-over of the workspace as it is now, unless that is under way or done. */
  prefetch(): void {
    // Nothing written yet: there is nothing to hand over.
    if (this.generation === 0 || this.latest?.generation === this.generation) return;
    const generation = this.generation;
    this.schedule(() => {
      // Still worth it: nothing ran since it was asked for, and nobody asked for the hand-over itself.
      if (this.closed || generation !== this.generation || this.latest?.generation === generation) return;
      this.latest = this.start();
    });
  }

  /** The hand-over of the workspace as it is now; nothing is worked out ahead after this. */
  async current(): Promise<T> {
    this.closed = true;
    const latest = this.latest;
    if (latest !== null && latest.generation === this.generation) {
      try {
        return await latest.result;
      } catch {
        // worked out again below, so that a failure is the one of the final attempt
      }
    }
    this.latest = this.start();
    return this.latest.result;
  }

  /** Stops working ahead and resolves once no hand-over is being worked out, however the last one ended. */
  async settled(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  /** A tool that marks the workspace changed whenever it starts. */
  track(tool: ToolDefinition): ToolDefinition {
    return {
      ...tool,
      run: (args, ctx) => {
        this.touched();
        return tool.run(args, ctx);
      },
    };
  }

  private start(): { generation: number; result: Promise<T> } {
    const generation = this.generation;
    const result = this.queue.then(() => this.compute());
    // An ahead result nobody asks for must not count as an unhandled rejection.
    this.queue = result.catch(() => undefined);
    return { generation, result };
  }
}

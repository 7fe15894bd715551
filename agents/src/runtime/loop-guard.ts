/**
 * Notices an agent that keeps making the same tool call and getting the same
 * result: after `limit` identical rounds in a row it is stuck.
 */
export class LoopGuard {
  private lastKey = '';
  private repeats = 0;

  constructor(private readonly limit = 4) {}

  /** Records one call and its result; returns true when the agent is stuck. */
  record(name: string, args: unknown, result: string): boolean {
    const key = `${name}\u0000${JSON.stringify(args)}\u0000${result}`;
    if (key === this.lastKey) {
      this.repeats += 1;
    } else {
      this.lastKey = key;
      this.repeats = 1;
    }
    return this.repeats >= this.limit;
  }
}

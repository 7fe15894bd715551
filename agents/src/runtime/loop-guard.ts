/** How many identical rounds (same call, same result) in a row mean stuck. */
const REPEAT_LIMIT = 4;
/** How many times in a row the same tool may fail with the same error. */
const ERROR_LIMIT = 3;
/** How many rounds of two calls taking turns (A, B, A, B, ...) mean stuck. */
const ALTERNATION_WINDOW = 6;

/** One round: a tool call and what it returned. */
interface Round {
  /** The call and its result, as one comparable string. */
  key: string;
  /** The tool and its error, when the call failed; null when it succeeded. */
  errorKey: string | null;
  tool: string;
  /** The model reply (step) the call came in, when known. */
  step: number | undefined;
}

/** What the tool loop knows about a call besides its name, arguments and result. */
export interface RoundInfo {
  /** The call failed; default: its result starts with "Error:", as the tool loop writes failures. */
  isError?: boolean;
  /** The step (model reply) the call came in: calls made together in one reply count as one failure. */
  step?: number;
}

/**
 * Notices an agent that is stuck, after OpenHands' StuckDetector: the same
 * call with the same result `limit` times in a row (4); the same tool
 * failing with the same error in 3 steps in a row, whatever the arguments
 * (the model is not learning from the error); or two calls taking turns,
 * each with its same result, for 6 calls (A, B, A, B, A, B). After `record`
 * returns true, `reason` says which.
 */
export class LoopGuard {
  private readonly rounds: Round[] = [];
  private why = '';

  constructor(private readonly limit = REPEAT_LIMIT) {}

  /** Why the agent was found stuck; '' while it is not. */
  get reason(): string {
    return this.why;
  }

  /** Records one call and its result; returns true when the agent is stuck. */
  record(name: string, args: unknown, result: string, info: RoundInfo = {}): boolean {
    const key = `${name}\u0000${JSON.stringify(args)}\u0000${result}`;
    const isError = info.isError ?? result.startsWith('Error:');
    this.rounds.push({ key, errorKey: isError ? `${name}\u0000${result}` : null, tool: name, step: info.step });
    if (this.rounds.length > Math.max(this.limit, ERROR_LIMIT, ALTERNATION_WINDOW)) this.rounds.shift();
    this.why = this.repeated() ?? this.failing() ?? this.alternating() ?? '';
    return this.why !== '';
  }

  private last(count: number): Round[] | null {
    return this.rounds.length >= count ? this.rounds.slice(-count) : null;
  }

  private repeated(): string | null {
    const recent = this.last(this.limit);
    if (recent === null || !recent.every((round) => round.key === recent[0]?.key)) return null;
    return `it repeated ${recent[0]?.tool} with the same arguments and result ${this.limit} times`;
  }

  private failing(): string | null {
    const last = this.rounds.at(-1);
    if (last?.errorKey === null || last === undefined) return null;
    // The failing streak: calls back from the last one with the same tool and error.
    let start = this.rounds.length - 1;
    while (start > 0 && this.rounds[start - 1]?.errorKey === last.errorKey) start--;
    const streak = this.rounds.slice(start);
    const steps = new Set(streak.map((round, i) => round.step ?? `call ${i}`));
    if (steps.size < ERROR_LIMIT) return null;
    return `${last.tool} failed with the same error ${ERROR_LIMIT} times in a row`;
  }

  private alternating(): string | null {
    const recent = this.last(ALTERNATION_WINDOW);
    if (recent === null) return null;
    const [a, b] = recent;
    if (a === undefined || b === undefined || a.key === b.key) return null;
    if (!recent.every((round, i) => round.key === (i % 2 === 0 ? a.key : b.key))) return null;
    return `it alternated between ${a.tool} and ${b.tool} with the same arguments and results for ${ALTERNATION_WINDOW} calls`;
  }
}

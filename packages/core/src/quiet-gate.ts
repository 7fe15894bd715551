/**
 * Runs background work at a moment that suits the host: `run` is called once
 * the host is quiet, or after `maxWaitMs` at most.
 */
export type QuietGate = (run: () => void, maxWaitMs: number) => void;

let gate: QuietGate | null = null;

/**
 * Makes `next` the gate of this process: an agent worker sets the one that
 * knows when its jobs wait on models (and clears it, with `null`, when it
 * stops), so that an orchestrator in the same process does its own work
 * ahead at those moments too. The last one set wins.
 */
export function setQuietGate(next: QuietGate | null): void {
  gate = next;
}

/** The gate of this process, to compare with before clearing it. */
export function currentQuietGate(): QuietGate | null {
  return gate;
}

/**
 * Runs `run` at the next quiet moment of this process's agent worker, or after
 * `maxWaitMs` at most; at once when no worker runs here (nothing to wait for).
 */
export function whenHostQuiet(run: () => void, maxWaitMs: number): void {
  if (gate === null) run();
  else gate(run, maxWaitMs);
}

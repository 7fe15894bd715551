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

/**
 * Runs `run` once the agent worker of this process has started every job in
 * `jobIds` and none of its jobs is setting up or running a tool (each waits on
 * its model), or after `maxWaitMs` at most.
 */
export type StartGate = (jobIds: readonly string[], run: () => void, maxWaitMs: number) => void;

let startGate: StartGate | null = null;

/** Makes `next` the start gate of this process (an agent worker sets its own; `null` clears it). */
export function setStartGate(next: StartGate | null): void {
  startGate = next;
}

/** The start gate of this process, to compare with before clearing it. */
export function currentStartGate(): StartGate | null {
  return startGate;
}

/**
 * Resolves once this process's agent worker has started the jobs `jobIds`
 * (see {@link StartGate}), after `maxWaitMs` at most, and at once when no
 * worker runs here. For an orchestrator that has just sent jobs: its own
 * bookkeeping can wait until they are under way, since the thread is shared
 * and the jobs are what the task waits for.
 */
export function whenJobsStarted(jobIds: readonly string[], maxWaitMs: number): Promise<void> {
  const gate = startGate;
  if (gate === null || jobIds.length === 0) return Promise.resolve();
  return new Promise((resolve) => gate(jobIds, resolve, maxWaitMs));
}

import { encodeFileSet, whenHostQuiet, type FileSetEntry, type Job, type JobResult } from '@codecrew/core';
import { GitRepo, type ChainChange } from '../git/index.ts';
import { laneChanges } from './candidate.ts';
import { FastLane } from './fast-lane.ts';
import type { CodePayload } from './nodes/code.ts';
import type { PatchCandidate } from './state.ts';
import { perRun, type GraphDeps } from './deps.ts';
import { makeJob, recordSpend, type JobContextState } from './jobs.ts';
import { treeArtifact } from './ahead.ts';

/** How long the standby tester waits for the crew to be quiet (its coders waiting on models) before it is sent. */
const SEND_WITHIN_MS = 2_000;

/** A tester sent on standby on the tree a wave of coders starts from. */
interface Standby {
  /** Resolves once the job is on the bus; null when it could not be sent. */
  sent: Promise<Job | null>;
  /** Released or withdrawn: nothing more is sent to it. */
  settled: boolean;
  /** Once released: its result (null when it did not succeed). */
  result: Promise<JobResult | null> | null;
}

/**
 * Sends a tester on standby on `commit`'s tree, the tree a wave of coders
 * starts from, once the crew is quiet: it unpacks that tree and takes a
 * sandbox while the coders work, then waits. When the wave merges on the fast
 * lane, the merge step releases it with the wave's files ({@link releaseStandby})
 * and the tests start at once; otherwise it is withdrawn. One per tree and
 * task run; none in a resumed run, nor without a test command.
 */
export function sendStandbyTester(deps: GraphDeps, state: JobContextState & { testCommand: string | null }, round: number, commit: string): void {
  const command = state.testCommand;
  const mine = standbysOf(deps);
  if (command === null || deps.resumed || mine.has(commit)) return;
  const standby: Standby = { sent: Promise.resolve(null), settled: false, result: null };
  standby.sent = (async () => {
    await new Promise<void>((resolve) => whenHostQuiet(resolve, SEND_WITHIN_MS));
    if (standby.settled || deps.signal.aborted) return null;
    deps.budget.check();
    const tree = await treeArtifact(deps, state, commit);
    const job: Job = { ...makeJob(state, { id: `test-r${round}-standby-${commit.slice(0, 12)}`, role: 'tester', tree, input: { role: 'tester', command } }), standby: true };
    await deps.bus.dispatchJob(job);
    deps.emit('job.dispatched', 'tester dispatched on standby', { jobId: job.id, role: 'tester', standby: true, tree: commit });
    return job;
  })().catch(() => null);
  mine.set(commit, standby);
  deps.atEnd.push(() => withdraw(deps, standby, 'the task run ended'));
}

/** The standby testers of a task run, by the commit of their tree. */
const standbysOf = perRun(() => new Map<string, Standby>());

function withdraw(deps: GraphDeps, standby: Standby, reason: string): void {
  if (standby.settled) return;
  standby.settled = true;
  void standby.sent.then((job) => (job === null ? undefined : deps.bus.releaseJob(job.taskId, job.id, { kind: 'withdraw', reason }))).catch(() => undefined);
}

/** The entries of a file set for `changes`; null when a change's bytes are not at hand. */
function fileSetOf(changes: ChainChange[]): FileSetEntry[] | null {
  const entries: FileSetEntry[] = [];
  for (const change of changes) {
    if (change.mode === null) entries.push({ path: change.path, mode: null, blob: null, data: null });
    else if (change.data === undefined || change.data === null || change.blob === null || change.mode === '160000') return null;
    else entries.push({ path: change.path, mode: change.mode, blob: change.blob, data: change.data });
  }
  return entries;
}

/**
 * Releases the standby tester on `start`'s tree with `changes` (the merged
 * tree is that tree with them made) and withdraws every other one. Resolves
 * with its result, or null when it failed or was never sent (the test step
 * then sends the tests itself); null at once when there is no standby on
 * `start` or the changes' bytes are not at hand.
 */
export function releaseStandby(deps: GraphDeps, start: string, changes: ChainChange[]): Promise<JobResult | null> | null {
  const standby = standbysOf(deps).get(start) ?? null;
  // Released already, when the wave's last coder finished (see noteWaveCandidate).
  if (standby?.result) return standby.result;
  const entries = standby === null || standby.settled ? null : fileSetOf(changes);
  withdrawStandbys(deps, entries === null ? null : start);
  if (standby === null || entries === null) return null;
  standby.settled = true;
  standby.result = (async () => {
    const job = await standby.sent;
    if (job === null) return null;
    const files = await deps.bus.putArtifact(`tasks/${job.taskId}/files/${job.id}.files`, encodeFileSet(entries));
    await deps.bus.releaseJob(job.taskId, job.id, { kind: 'run', files });
    deps.emit('log', `tester released with ${entries.length} merged file(s)`, { jobId: job.id, standby: true, files: entries.length });
    const result = recordSpend(deps, await deps.bus.awaitResult(job.taskId, job.id, { signal: deps.signal, timeoutMs: job.timeoutMs + 60_000 }));
    if (result.status === 'succeeded') return result;
    deps.emit('log', `the standby tester ${result.status}${result.error ? ` (${result.error.code}: ${result.error.message})` : ''}; the test step sends the tests again`, { jobId: job.id, standby: true });
    return null;
  })().catch(() => null);
  return standby.result;
}

/** The coders' results of each wave of a task run so far, by subtask (null: failed). */
const wavesOf = perRun(() => new Map<string, Map<string, PatchCandidate | null>>());

/**
 * Notes a coder's result (null when it failed). When it is the last one of
 * the last wave, and every candidate of the wave would take the merge
 * train's fast lane, the standby tester is released right away with the
 * wave's files: the same tree the merge train is about to record. Otherwise
 * the merge step decides (see `sendTestsAhead`).
 */
export function noteWaveCandidate(deps: GraphDeps, payload: CodePayload, candidate: PatchCandidate | null): void {
  const wave = payload.wave;
  const start = payload.assignment.startCommit;
  if (wave === undefined || !wave.last || payload.testCommand === null || !standbysOf(deps).has(start)) return;
  const waves = wavesOf(deps);
  const key = `${start}:${wave.subtaskIds.join(',')}`;
  const results = waves.get(key) ?? new Map<string, PatchCandidate | null>();
  waves.set(key, results);
  results.set(payload.assignment.subtaskId, candidate);
  if (results.size < wave.subtaskIds.length) return;
  waves.delete(key);
  void releaseWave(deps, payload, start, [...results.values()]).catch(() => undefined);
}

/** The merge train's fast lane run over a wave's candidates, in plan order, without writing anything; null when one would not take it. */
async function releaseWave(deps: GraphDeps, payload: CodePayload, start: string, results: Array<PatchCandidate | null>): Promise<void> {
  if (results.some((c) => c === null || c.kind === 'resolve')) return;
  const order = payload.plan.subtasks.map((s) => s.id);
  const candidates = (results as PatchCandidate[]).filter((c) => c.patch !== null).sort((a, b) => order.indexOf(a.subtaskId) - order.indexOf(b.subtaskId));
  const lane = new FastLane(new GitRepo(payload.scratchDir), start);
  for (const candidate of candidates) {
    if (!(await lane.accepts(candidate))) return;
    lane.add(await laneChanges(deps, candidate), '', () => undefined);
  }
  const merged = lane.changesSinceStart();
  if (merged === null || merged.changes.length === 0) return;
  void releaseStandby(deps, start, merged.changes);
}

/** Withdraws every standby tester not yet released, but the one on `keep`. */
export function withdrawStandbys(deps: GraphDeps, keep: string | null): void {
  for (const [commit, standby] of standbysOf(deps)) if (commit !== keep) withdraw(deps, standby, 'its wave did not merge on the fast lane');
}

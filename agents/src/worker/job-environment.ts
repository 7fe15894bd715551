import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError, isCodecrewError, type Job, type Role } from '@codecrew/core';
import { Workspace, type Sandbox } from '@codecrew/sandbox';
import type { EmitEvent } from '../runtime/tool.ts';
import type { JobRuntime } from './run-job.ts';

/**
 * The error a failed setup ends the job with. A failure of the machine rather than of the job (a NATS or
 * Docker call that failed or timed out, a sandbox that could not start) is marked `handBack`: the bus
 * gives the job back to NATS for another delivery while it has deliveries left.
 */
function setupFailure(error: unknown): CodecrewError {
  if (isCodecrewError(error) && error.code !== 'SANDBOX_UNAVAILABLE' && !error.retryable) return error;
  const message = isCodecrewError(error)
    ? error.message
    : `could not prepare the job's workspace and sandbox: ${(error as Error).message}`;
  const details = { ...(isCodecrewError(error) ? error.details : {}), handBack: true };
  return new CodecrewError('SANDBOX_UNAVAILABLE', message, { retryable: true, details, cause: error });
}

/** Roles whose sandbox may change the workspace. */
const WRITABLE: ReadonlySet<Role> = new Set(['coder', 'tester']);

/**
 * A job's workspace and sandbox, set up in the background from the moment the
 * job starts. The first model call needs neither, so it runs while they are
 * made: a job pays for its setup only when setup outlasts that call.
 */
export class JobEnvironment {
  /** Resolves when the workspace and sandbox may be used; rejects with the setup error. */
  readonly ready: Promise<void>;
  private workspaceValue: Workspace | null = null;
  private sandboxValue: Sandbox | null = null;
  private readonly settled: Promise<void>;

  /**
   * Starts setting up the environment of `job`; `onFailure` hears a setup
   * error at once, before anyone awaits `ready`.
   */
  constructor(
    job: Job,
    delivery: number,
    runtime: JobRuntime,
    emit: EmitEvent,
    onFailure: (error: CodecrewError) => void,
  ) {
    this.ready = this.setUp(job, delivery, runtime, emit).catch((error: unknown) => {
      const failure = setupFailure(error);
      onFailure(failure);
      throw failure;
    });
    this.settled = this.ready.catch(() => undefined);
  }

  /** The job's working tree; only after `ready`. */
  get workspace(): Workspace {
    if (this.workspaceValue === null) throw new CodecrewError('INTERNAL', 'the workspace was used before it was ready');
    return this.workspaceValue;
  }

  /** The job's sandbox; only after `ready`. */
  get sandbox(): Sandbox {
    if (this.sandboxValue === null) throw new CodecrewError('INTERNAL', 'the sandbox was used before it was ready');
    return this.sandboxValue;
  }

  /** Waits for setup to end, however it ends, then removes whatever it made. */
  async dispose(): Promise<void> {
    await this.settled;
    await this.sandboxValue?.destroy().catch(() => undefined);
    await this.workspaceValue?.dispose().catch(() => undefined);
  }

  private async setUp(job: Job, delivery: number, runtime: JobRuntime, emit: EmitEvent): Promise<void> {
    // A job delivered again takes over from a worker that stopped answering (or handed it back): whatever
    // sandboxes its earlier deliveries left are removed before this one makes its own, with the same labels.
    const superseded = delivery > 1 ? removeEarlierSandboxes(job, delivery, runtime, emit) : Promise.resolve();
    // Folders the earlier deliveries left on this machine go too (a live earlier delivery was aborted by now).
    if (delivery > 1) {
      for (let earlier = 1; earlier < delivery; earlier++) {
        void rm(workspaceParent(runtime.workRoot, job.id, earlier), { recursive: true, force: true }).catch(
          () => undefined,
        );
      }
    }
    const fetchStarted = Date.now();
    const tree = await runtime.bus.getArtifact(job.tree);
    const workspaceStarted = Date.now();
    // Only coders diff their workspace; the others skip recording a baseline.
    const baseline = job.role === 'coder';
    this.workspaceValue = await Workspace.create({
      parentDir: workspaceParent(runtime.workRoot, job.id, delivery),
      tar: tree,
      baseline,
      ...(baseline && runtime.baselines ? { shared: { cache: runtime.baselines, key: job.tree.name } } : {}),
    });
    await superseded;
    const sandboxStarted = Date.now();
    const readOnly = !WRITABLE.has(job.role);
    this.sandboxValue = await runtime.sandboxes.create({
      workspaceDir: this.workspaceValue.root,
      readOnly,
      limits: job.sandbox,
      labels: { task: job.taskId, job: job.id, role: job.role },
    });
    const timings = {
      fetchMs: workspaceStarted - fetchStarted,
      workspaceMs: sandboxStarted - workspaceStarted,
      sandboxMs: Date.now() - sandboxStarted,
    };
    emit('log', `sandbox ${this.sandboxValue.id.slice(0, 12)} ready`, {
      sandbox: this.sandboxValue.id,
      readOnly,
      ...timings,
    });
  }
}

/**
 * Where a delivery of a job keeps its workspace. A delivery after the first gets its own folder: an earlier
 * one may have left its folder behind (its worker was killed, on this machine and data directory too).
 */
function workspaceParent(workRoot: string, jobId: string, delivery: number): string {
  return join(workRoot, delivery > 1 ? `${jobId}.d${delivery}` : jobId);
}

/** Removes the sandboxes of a job's earlier deliveries; a failure is traced, and the reaper removes them later. */
async function removeEarlierSandboxes(job: Job, delivery: number, runtime: JobRuntime, emit: EmitEvent): Promise<void> {
  if (runtime.sandboxes.removeJob === undefined) return;
  try {
    const removed = await runtime.sandboxes.removeJob(job.id);
    emit('log', `delivery ${delivery} took over: removed ${removed.length} sandbox(es) left by earlier deliveries`, {
      takeover: true,
      delivery,
      removed,
    });
  } catch (error) {
    emit(
      'log',
      `delivery ${delivery} took over: could not remove the sandboxes of earlier deliveries: ${(error as Error).message}`,
      {
        takeover: true,
        delivery,
        removed: [],
      },
    );
  }
}

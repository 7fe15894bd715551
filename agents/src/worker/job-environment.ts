import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError, isCodecrewError, type Job, type Role } from '@codecrew/core';
import { Workspace, type ExecOptions, type ExecResult, type Sandbox } from '@codecrew/sandbox';
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
 * A job's workspace and sandbox. The workspace is set up in the background from the moment the job
 * starts: the first model call needs none, so it runs meanwhile and a job pays for the setup only when
 * the setup outlasts that call. The container starts when the job first runs a command in it (from the
 * warm pool when there is one): a job that only reads and writes files, or answers from its prompt,
 * starts none.
 */
export class JobEnvironment {
  /** Resolves when the workspace may be used; rejects with the setup error. */
  readonly ready: Promise<void>;
  /** The job's sandbox; its container starts at the first command. */
  readonly sandbox: Sandbox;
  private workspaceValue: Workspace | null = null;
  private started: Promise<Sandbox> | null = null;
  private readonly settled: Promise<void>;
  private readonly superseded: Promise<void>;

  /**
   * Starts setting up the environment of `job`; `onFailure` hears a setup
   * error at once, before anyone awaits `ready`.
   */
  constructor(
    private readonly job: Job,
    delivery: number,
    private readonly runtime: JobRuntime,
    private readonly emit: EmitEvent,
    private readonly onFailure: (error: CodecrewError) => void,
  ) {
    // A job delivered again takes over from a worker that stopped answering (or handed it back): whatever
    // sandboxes its earlier deliveries left are removed before this one makes its own, with the same labels.
    this.superseded = delivery > 1 ? removeEarlierSandboxes(job, delivery, runtime, emit) : Promise.resolve();
    this.ready = this.setUpWorkspace(delivery).catch((error: unknown) => this.fail(error));
    this.settled = this.ready.catch(() => undefined);
    this.sandbox = new SandboxOnDemand(() => this.startSandbox());
  }

  /** The job's working tree; only after `ready`. */
  get workspace(): Workspace {
    if (this.workspaceValue === null) throw new CodecrewError('INTERNAL', 'the workspace was used before it was ready');
    return this.workspaceValue;
  }

  /** Waits for setup to end, however it ends, then removes whatever it made. */
  async dispose(): Promise<void> {
    await this.settled;
    const sandbox = await this.started?.catch(() => null);
    await sandbox?.destroy().catch(() => undefined);
    await this.workspaceValue?.dispose().catch(() => undefined);
  }

  private fail(error: unknown): never {
    const failure = setupFailure(error);
    this.onFailure(failure);
    throw failure;
  }

  private async setUpWorkspace(delivery: number): Promise<void> {
    const { job, runtime } = this;
    // Folders the earlier deliveries left on this machine go too (a live earlier delivery was aborted by now).
    if (delivery > 1) {
      for (let earlier = 1; earlier < delivery; earlier++) {
        void rm(workspaceParent(runtime.workRoot, job.id, earlier), { recursive: true, force: true }).catch(
          () => undefined,
        );
      }
    }
    const tree = await runtime.bus.getArtifact(job.tree);
    // Only coders diff their workspace; the others skip recording a baseline. Coders of any task that
    // start from the same tree bytes (its digest) share one recorded baseline.
    const baseline = job.role === 'coder';
    const key = job.tree.sha256 ?? job.tree.name;
    this.workspaceValue = await Workspace.create({
      parentDir: workspaceParent(runtime.workRoot, job.id, delivery),
      tar: tree,
      baseline,
      ...(baseline && runtime.baselines ? { shared: { cache: runtime.baselines, key } } : {}),
    });
  }

  /** Starts the job's container, once; a failure is the job's setup error. */
  private startSandbox(): Promise<Sandbox> {
    this.started ??= this.createSandbox().catch((error: unknown) => this.fail(error));
    return this.started;
  }

  private async createSandbox(): Promise<Sandbox> {
    const { job, runtime } = this;
    await this.ready;
    await this.superseded;
    const startedAt = Date.now();
    const readOnly = !WRITABLE.has(job.role);
    const sandbox = await runtime.sandboxes.create({
      workspaceDir: this.workspace.root,
      readOnly,
      limits: job.sandbox,
      labels: { task: job.taskId, job: job.id, role: job.role },
    });
    this.emit('log', `sandbox ${sandbox.id.slice(0, 12)} ready`, {
      sandbox: sandbox.id,
      readOnly,
      sandboxMs: Date.now() - startedAt,
    });
    return sandbox;
  }
}

/** A sandbox whose container starts at its first command. */
class SandboxOnDemand implements Sandbox {
  private sandbox: Sandbox | null = null;

  constructor(private readonly start: () => Promise<Sandbox>) {}

  /** The container's id; empty until the first command started it. */
  get id(): string {
    return this.sandbox?.id ?? '';
  }

  get workspaceDir(): string {
    return this.sandbox?.workspaceDir ?? '';
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    this.sandbox ??= await this.start();
    return this.sandbox.exec(command, options);
  }

  async destroy(): Promise<void> {
    await this.sandbox?.destroy();
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

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import Dockerode from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { CodecrewError } from '@codecrew/core';
import type { SandboxLimits } from '@codecrew/core';
import type { Sandbox, SandboxCreateOptions, SandboxInfo, SandboxLabels, SandboxProvider } from '../types.ts';
import { AUTO_IMAGE, defaultSandboxImage } from '../image/tag.ts';
import { adoptDirectory, sameFilesystem } from '../pool/adopt.ts';
import { WarmPool } from '../pool/warm-pool.ts';
import { LABELS, containerName, containerSpec } from './container-spec.ts';
import { dockerStatus, dockerUnavailable, imageMissing, isDaemonUnreachable, sandboxFailed } from './errors.ts';
import { currentOwner, isOwnerAlive } from './owner.ts';
import { RunnerClient } from './runner-client.ts';
import {
  DEFAULT_STATE_ROOT,
  STATE_DIR_LABEL,
  STATE_DIR_PREFIX,
  createSandboxState,
  socketPathFits,
  withRunner,
} from './runner-spec.ts';
import type { SandboxState } from './runner-spec.ts';
import { DockerSandbox } from './sandbox.ts';

/** Label marking a container made for the warm pool (its task/job labels stay empty). */
export const POOL_LABEL = 'codecrew.pool';
/** Role label of a pooled container; its real labels are in `labels.json` of its state directory. */
export const POOL_ROLE = 'pool';
const ASSIGNED_LABELS_FILE = 'labels.json';
const DEFAULT_RUNNER_WAIT_MS = 5000;
/** A job's first commands follow its create; the replacement container waits this long not to slow them. */
const REFILL_DELAY_MS = 1000;
/** A state directory no container names is left alone this long: its sandbox may be being created. */
const STALE_STATE_MS = 10 * 60 * 1000;

/** A started container waiting in the pool, its runner up, its empty workspace mounted. */
interface Pooled {
  container: Dockerode.Container;
  state: SandboxState;
  /** `<state.dir>/ws`, mounted at /workspace; a job's workspace is moved into it. */
  wsDir: string;
  runner: RunnerClient;
}

/** Options of {@link DockerSandboxProvider}. */
export interface DockerSandboxProviderOptions {
  /** Owner label of the sandboxes created; defaults to `<hostname>:<pid>`. */
  owner?: string;
  /** The Docker client; defaults to one configured from DOCKER_HOST or the local socket. */
  docker?: Dockerode;
  /** What the image name `auto` stands for; defaults to {@link defaultSandboxImage}. */
  image?: string;
  /**
   * Run commands through a small runner inside each container (a few ms per
   * command) instead of one `docker exec` each (~100 ms). Default true; with
   * false, containers are exactly the plain spec.
   */
  runner?: boolean;
  /**
   * Started containers to keep ready per kind of sandbox (limits + read-only),
   * so `create` only moves the workspace in. Default 0 (off). A kind starts
   * being kept warm at its first `create`, or at {@link DockerSandboxProvider.prewarm}.
   * Needs `stateDir` on the filesystem of the workspaces. Call `close()` at shutdown.
   */
  warm?: number;
  /**
   * Host directory for per-sandbox state (runner socket, pooled workspaces);
   * default `<tmpdir>/codecrew-sandboxes`. Put it on the workspaces' filesystem
   * (e.g. next to the agents' work root) for the warm pool to apply.
   */
  stateDir?: string;
  /** How long a new sandbox's first command waits for the runner before using `docker exec`; default 5000. */
  runnerWaitMs?: number;
}

/**
 * Runs each job in its own Docker container: no network, uid 1000, no
 * capabilities, no-new-privileges, read-only root, size-capped /tmp, pids,
 * memory and CPU limits, and the workspace bind-mounted at /workspace.
 *
 * @example
 * const provider = new DockerSandboxProvider();
 * await provider.ensureReady();
 * const sandbox = await provider.create({ workspaceDir, limits, labels: { task, job, role: 'coder' } });
 * const { exitCode, stdout } = await sandbox.exec('npm test');
 * await sandbox.destroy();
 */
export class DockerSandboxProvider implements SandboxProvider {
  readonly driver = 'docker';
  readonly owner: string;
  readonly docker: Dockerode;
  private readonly autoImage: string | undefined;
  private readonly useRunner: boolean;
  private readonly stateRoot: string;
  private readonly runnerWaitMs: number;
  private readonly pool: WarmPool<Pooled> | null;

  constructor(options: DockerSandboxProviderOptions = {}) {
    this.owner = options.owner ?? currentOwner();
    this.docker = options.docker ?? new Dockerode();
    this.autoImage = options.image;
    this.stateRoot = options.stateDir ?? DEFAULT_STATE_ROOT;
    this.useRunner = (options.runner ?? true) && socketPathFits(this.stateRoot);
    this.runnerWaitMs = options.runnerWaitMs ?? DEFAULT_RUNNER_WAIT_MS;
    const warm = options.warm ?? 0;
    this.pool =
      warm > 0 && this.useRunner
        ? new WarmPool<Pooled>({
            size: warm,
            refillDelayMs: REFILL_DELAY_MS,
            discard: (p) => this.discardPooled(p),
            onError: () => undefined,
          })
        : null;
  }

  /** The image a configured name stands for (`auto` → this provider's default). */
  imageFor(configured: string): string {
    if (configured !== AUTO_IMAGE) return configured;
    return this.autoImage ?? defaultSandboxImage();
  }

  /** Pings the daemon and checks the default image exists. */
  async ensureReady(): Promise<void> {
    await this.ping();
    await this.checkImage(this.imageFor(AUTO_IMAGE));
  }

  async create(options: SandboxCreateOptions): Promise<Sandbox> {
    const image = this.imageFor(options.limits.image);
    // Docker would create a missing bind source as an empty root-owned directory.
    const dir = await stat(options.workspaceDir).catch(() => undefined);
    if (dir?.isDirectory() !== true) {
      throw new CodecrewError(
        'SANDBOX_FAILED',
        `the workspace directory ${options.workspaceDir} does not exist; create the workspace first`,
        {
          details: { workspaceDir: options.workspaceDir },
        },
      );
    }
    let plain: ContainerCreateOptions;
    try {
      plain = containerSpec(
        options,
        image,
        this.owner,
        containerName(options.labels.job, randomBytes(4).toString('hex')),
      );
    } catch (error) {
      throw sandboxFailed('invalid sandbox options', error);
    }
    if (this.pool !== null && (await this.poolCanServe(options.workspaceDir))) {
      const key = poolKey(image, options.limits, options.readOnly === true);
      const pooled = this.pool.take(key);
      if (pooled !== undefined) {
        const sandbox = await this.adopt(pooled, options).catch(() => null);
        if (sandbox !== null) return sandbox;
        await this.discardPooled(pooled);
      }
      this.pool.warm(key, () => this.createPooled(image, options.limits, options.readOnly === true));
    }
    // No ping or image check first (two round trips): create's own errors say the same, see start().
    const state = this.useRunner ? await createSandboxState(this.stateRoot) : undefined;
    try {
      const { container, runner } = await this.start(plain, image, options.labels.job, state);
      return new DockerSandbox(this.docker, container, options.workspaceDir, execDefaults(options.limits), {
        ...(runner === undefined ? {} : { runner }),
        ...(state === undefined ? {} : { stateDir: state.dir }),
      });
    } catch (error) {
      if (state !== undefined) await rm(state.dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Starts keeping sandboxes of these limits warm (when the provider has `warm` > 0),
   * and resolves once they are ready; the first `create` of that kind is then warm too.
   */
  async prewarm(limits: SandboxLimits, options: { readOnly?: boolean } = {}): Promise<void> {
    if (this.pool === null) return;
    const image = this.imageFor(limits.image);
    await this.ping();
    await this.checkImage(image);
    const readOnly = options.readOnly === true;
    this.pool.warm(poolKey(image, limits, readOnly), () => this.createPooled(image, limits, readOnly));
    await this.pool.settled();
  }

  /** Resolves when the warm pool holds its full count again (for benchmarks and tests). */
  async poolSettled(): Promise<void> {
    await this.pool?.settled();
  }

  /** Removes the pooled containers nobody took; call it when the process shuts down. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** Creates and starts a container (with the runner when `state` is given); removes it again if starting fails. */
  private async start(
    plain: ContainerCreateOptions,
    image: string,
    job: string,
    state: SandboxState | undefined,
  ): Promise<{ container: Dockerode.Container; runner: RunnerClient | undefined }> {
    const spec = state === undefined ? plain : withRunner(plain, state);
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer(spec);
    } catch (error) {
      if (dockerStatus(error) === 404) throw imageMissing(image, error);
      throw sandboxFailed(`could not create a sandbox for job ${job}`, error);
    }
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw sandboxFailed(`could not start the sandbox for job ${job}`, error);
    }
    const runner = state === undefined ? undefined : new RunnerClient(state.socketPath, Date.now() + this.runnerWaitMs);
    return { container, runner };
  }

  /** A started pool container of one kind, its runner answering. */
  private async createPooled(image: string, limits: SandboxLimits, readOnly: boolean): Promise<Pooled> {
    const state = await createSandboxState(this.stateRoot);
    const wsDir = join(state.dir, 'ws');
    try {
      await mkdir(wsDir);
      const suffix = randomBytes(4).toString('hex');
      const plain = containerSpec(
        { workspaceDir: wsDir, readOnly, limits, labels: { task: '', job: '', role: POOL_ROLE } },
        image,
        this.owner,
        containerName('pool', suffix),
      );
      plain.Labels = { ...plain.Labels, [POOL_LABEL]: '1' };
      const { container, runner } = await this.start(plain, image, 'pool', state);
      const pooled: Pooled = { container, state, wsDir, runner: runner as RunnerClient };
      if (!(await pooled.runner.waitReady())) {
        await this.discardPooled(pooled);
        throw sandboxFailed('warm pool', new Error('the runner of a pooled sandbox did not start'));
      }
      return pooled;
    } catch (error) {
      await rm(state.dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A pooled workspace directory can only be renamed into place on the same filesystem. */
  private async poolCanServe(workspaceDir: string): Promise<boolean> {
    await mkdir(this.stateRoot, { recursive: true, mode: 0o700 }).catch(() => undefined);
    return sameFilesystem(this.stateRoot, dirname(workspaceDir)).catch(() => false);
  }

  /** Hands a pooled container to a job: its workspace moves into the pre-mounted directory. */
  private async adopt(pooled: Pooled, options: SandboxCreateOptions): Promise<Sandbox> {
    await adoptDirectory(pooled.wsDir, options.workspaceDir);
    // Docker cannot relabel a container; the job's labels are kept beside it for list().
    await writeFile(join(pooled.state.dir, ASSIGNED_LABELS_FILE), JSON.stringify(options.labels));
    return new DockerSandbox(this.docker, pooled.container, options.workspaceDir, execDefaults(options.limits), {
      runner: pooled.runner,
      stateDir: pooled.state.dir,
    });
  }

  private async discardPooled(pooled: Pooled): Promise<void> {
    await pooled.container.remove({ force: true, v: true }).catch(() => undefined);
    await rm(pooled.state.dir, { recursive: true, force: true });
  }

  /** Lists every codecrew container on this daemon, whoever created it. */
  async list(): Promise<SandboxInfo[]> {
    let containers: Dockerode.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({ all: true, filters: { label: [`${LABELS.managed}=1`] } });
    } catch (error) {
      throw sandboxFailed('could not list sandboxes', error);
    }
    return Promise.all(
      containers.map(async (c) => {
        const owner = c.Labels[LABELS.owner] ?? '';
        const assigned = c.Labels[POOL_LABEL] === '1' ? await assignedLabels(c.Labels[STATE_DIR_LABEL]) : undefined;
        return {
          id: c.Id,
          labels: {
            task: assigned?.task ?? c.Labels[LABELS.task] ?? '',
            job: assigned?.job ?? c.Labels[LABELS.job] ?? '',
            role: assigned?.role ?? c.Labels[LABELS.role] ?? '',
            owner,
          },
          state: c.State,
          createdAt: new Date(c.Created * 1000).toISOString(),
          ownerAlive: isOwnerAlive(owner),
        };
      }),
    );
  }

  /**
   * Force-removes the sandboxes whose owner process is gone (pooled ones too:
   * they carry the owner label) with their state directories, and returns their ids.
   */
  async reap(): Promise<string[]> {
    const removed = await this.removeAll(
      (await this.list()).filter((info) => !info.ownerAlive),
      'orphaned',
    );
    await this.removeStaleStateDirs();
    return removed;
  }

  /**
   * Force-removes every sandbox of a job on this daemon, whoever created it (pooled ones it was given
   * too), and returns their ids: a worker that takes over a job delivered again removes what the
   * earlier deliveries left running.
   */
  async removeJob(jobId: string): Promise<string[]> {
    if (jobId === '') return [];
    return this.removeAll(
      (await this.list()).filter((info) => info.labels.job === jobId),
      'superseded',
    );
  }

  /** Removes these sandboxes with their state directories; one already gone is passed over. */
  private async removeAll(infos: SandboxInfo[], what: string): Promise<string[]> {
    const removed: string[] = [];
    for (const info of infos) {
      try {
        const container = this.docker.getContainer(info.id);
        const stateDir = (await container.inspect().catch(() => undefined))?.Config.Labels[STATE_DIR_LABEL];
        await container.remove({ force: true, v: true });
        if (stateDir !== undefined && isAbsolute(stateDir) && basename(stateDir).startsWith(STATE_DIR_PREFIX)) {
          await rm(stateDir, { recursive: true, force: true });
        }
        removed.push(info.id);
      } catch (error) {
        const status = dockerStatus(error);
        if (status === 404 || status === 409) continue;
        throw sandboxFailed(`could not remove ${what} sandbox ${info.id.slice(0, 12)}`, error);
      }
    }
    return removed;
  }

  /**
   * Removes state directories under this provider's root that no container
   * names any more (their container was removed by other means) and that are
   * old enough not to belong to a sandbox being created right now.
   */
  private async removeStaleStateDirs(): Promise<void> {
    const names = await readdir(this.stateRoot).catch(() => [] as string[]);
    const candidates = names
      .filter((name) => name.startsWith(STATE_DIR_PREFIX))
      .map((name) => join(this.stateRoot, name));
    if (candidates.length === 0) return;
    let containers: Dockerode.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({ all: true, filters: { label: [STATE_DIR_LABEL] } });
    } catch {
      return;
    }
    const named = new Set(containers.map((c) => c.Labels[STATE_DIR_LABEL]));
    const cutoff = Date.now() - STALE_STATE_MS;
    for (const dir of candidates) {
      if (named.has(dir)) continue;
      const info = await stat(dir).catch(() => undefined);
      if (info !== undefined && info.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
    }
  }

  private async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw dockerUnavailable(error);
    }
  }

  private async checkImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
    } catch (error) {
      if (dockerStatus(error) === 404) throw imageMissing(image, error);
      if (isDaemonUnreachable(error)) throw dockerUnavailable(error);
      throw sandboxFailed(`could not inspect the sandbox image ${image}`, error);
    }
  }
}

/** Pooled containers are interchangeable when these match; timeouts and output caps are per command. */
function poolKey(image: string, limits: SandboxLimits, readOnly: boolean): string {
  return JSON.stringify([image, limits.cpus, limits.memoryBytes, limits.pids, limits.tmpBytes, readOnly]);
}

function execDefaults(limits: SandboxLimits): { timeoutMs: number; maxOutputBytes: number } {
  return { timeoutMs: limits.commandTimeoutMs, maxOutputBytes: limits.maxOutputBytes };
}

/** The job labels a pooled container was given, read from its state directory. */
async function assignedLabels(stateDir: string | undefined): Promise<SandboxLabels | undefined> {
  if (stateDir === undefined || !isAbsolute(stateDir)) return undefined;
  try {
    const parsed = JSON.parse(await readFile(join(stateDir, ASSIGNED_LABELS_FILE), 'utf8')) as Partial<SandboxLabels>;
    return { task: String(parsed.task ?? ''), job: String(parsed.job ?? ''), role: String(parsed.role ?? '') };
  } catch {
    return undefined;
  }
}

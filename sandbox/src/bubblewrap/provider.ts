import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Dockerode from 'dockerode';
import { CodecrewError } from '@codecrew/core';
import type { Sandbox, SandboxCreateOptions, SandboxInfo, SandboxProvider } from '../types.ts';
import { AUTO_IMAGE, defaultSandboxImage } from '../image/tag.ts';
import { SANDBOX_HOME } from '../docker/container-spec.ts';
import { currentOwner, isOwnerAlive } from '../docker/owner.ts';
import { bwrapArgs } from './args.ts';
import type { RootfsSpec } from './args.ts';
import { cgroupV1Available, createCgroup, oomKills, procsFiles, removeCgroup } from './cgroup.ts';
import type { CgroupPaths } from './cgroup.ts';
import { STAGE_DIR, bindSources, launchArgv } from './exec.ts';
import type { LaunchContext } from './exec.ts';
import { exportRootfs, hostRootfs, rootfsDir, rootfsReady } from './rootfs.ts';
import { BubblewrapSandbox } from './sandbox.ts';
import { createScratch, removeScratch } from './scratch.ts';
import type { Scratch } from './scratch.ts';
import { SandboxState } from './state.ts';

/** Which root filesystem sandboxes get: `image` (the exported sandbox image), `host` (read-only host binds) or `auto`. */
export type RootfsMode = 'auto' | 'image' | 'host';

/** Options of {@link BubblewrapSandboxProvider}. */
export interface BubblewrapSandboxProviderOptions {
  /** Owner recorded for the sandboxes created; defaults to `<hostname>:<pid>`. */
  owner?: string;
  /** Holds `rootfs/<tag>/` and the state files `bwrap/<id>.json`; defaults to `.codecrew`. */
  dataDir?: string;
  /** What the image name `auto` stands for; defaults to {@link defaultSandboxImage}. */
  image?: string;
  /**
   * `auto` (default): the image's rootfs, exported from Docker on first use
   * when Docker has the image, else read-only binds of the host's tools.
   */
  rootfs?: RootfsMode;
  /** Docker client used only to export the image; defaults to the local daemon. */
  docker?: Dockerode;
  /** The bwrap binary; defaults to `bwrap` on PATH. */
  bwrap?: string;
  /** Receives what the provider does on the side (exporting a rootfs, falling back to host tools). */
  onProgress?: (line: string) => void;
}

const PROBE_TIMEOUT_MS = 20_000;

/** The empty directories a root launcher binds the rootfs and workspace onto (in its own mount namespace). */
async function ensureStageDirs(): Promise<void> {
  for (const dir of [STAGE_DIR, `${STAGE_DIR}/root`, `${STAGE_DIR}/ws`]) {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
  }
}

function unavailable(message: string, cause?: unknown): CodecrewError {
  return new CodecrewError('SANDBOX_UNAVAILABLE', message, { cause });
}

/**
 * Runs each command in a fresh bubblewrap sandbox, without a daemon: every
 * namespace unshared (no network but `lo`), uid 1000, no capabilities,
 * no-new-privileges, a read-only root (the sandbox image's own files when
 * available), size-capped /tmp and $HOME, the workspace bound at /workspace,
 * and — when cgroup v1 is writable — pids, memory and CPU limits per sandbox.
 *
 * @example
 * const provider = new BubblewrapSandboxProvider({ dataDir: '.codecrew' });
 * await provider.ensureReady();
 * const sandbox = await provider.create({ workspaceDir, limits, labels: { task, job, role: 'coder' } });
 * const { exitCode, stdout } = await sandbox.exec('npm test');
 * await sandbox.destroy();
 */
export class BubblewrapSandboxProvider implements SandboxProvider {
  readonly driver = 'bubblewrap';
  readonly owner: string;
  readonly dataDir: string;
  private readonly options: BubblewrapSandboxProviderOptions;
  private readonly state: SandboxState;
  private readonly rootfsCache = new Map<string, Promise<RootfsSpec>>();
  private readonly asRoot = process.getuid?.() === 0;
  private cgroupsChecked: boolean | undefined;

  constructor(options: BubblewrapSandboxProviderOptions = {}) {
    this.options = options;
    this.owner = options.owner ?? currentOwner();
    this.dataDir = resolve(options.dataDir ?? '.codecrew');
    this.state = new SandboxState(join(this.dataDir, 'bwrap'));
  }

  /** Whether sandboxes get pids, memory and CPU limits (cgroup v1 writable by this process). */
  get enforcesLimits(): boolean {
    this.cgroupsChecked ??= this.asRoot && cgroupV1Available();
    return this.cgroupsChecked;
  }

  /** The image a configured name stands for (`auto` → this provider's default). */
  imageFor(configured: string): string {
    if (configured !== AUTO_IMAGE) return configured;
    return this.options.image ?? defaultSandboxImage();
  }

  /** Checks bwrap runs a command (user namespaces allowed) and prepares the default image's root filesystem. */
  async ensureReady(): Promise<void> {
    await this.probe();
    await this.rootfsFor(AUTO_IMAGE);
  }

  /** The root filesystem used for `image`: `image` or `host` spec (prepared on first use). */
  rootfsFor(configured: string): Promise<RootfsSpec> {
    const image = this.imageFor(configured);
    let spec = this.rootfsCache.get(image);
    if (spec === undefined) {
      spec = this.prepareRootfs(image);
      this.rootfsCache.set(image, spec);
      spec.catch(() => this.rootfsCache.delete(image));
    }
    return spec;
  }

  async create(options: SandboxCreateOptions): Promise<Sandbox> {
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
    const rootfs = await this.rootfsFor(options.limits.image);
    if (this.asRoot) await ensureStageDirs();
    const safe = options.labels.job.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40);
    const id = `codecrew-${safe}-${randomBytes(4).toString('hex')}`;
    const { limits } = options;
    let cgroup: CgroupPaths = {};
    if (this.enforcesLimits) {
      try {
        cgroup = await createCgroup(id, { pids: limits.pids, memoryBytes: limits.memoryBytes, cpus: limits.cpus });
      } catch (error) {
        throw new CodecrewError(
          'SANDBOX_FAILED',
          `could not create the cgroup of sandbox ${id}: ${(error as Error).message}`,
          { cause: error, retryable: true },
        );
      }
    }
    let scratch: Scratch | undefined;
    if (this.asRoot) {
      try {
        scratch = await createScratch(STAGE_DIR, id, limits.tmpBytes);
      } catch (error) {
        await removeCgroup(cgroup);
        throw new CodecrewError(
          'SANDBOX_FAILED',
          `could not mount /tmp and $HOME of sandbox ${id}: ${(error as Error).message}`,
          { cause: error, retryable: true },
        );
      }
    }
    await this.state.write({
      id,
      labels: { ...options.labels, owner: this.owner },
      createdAt: new Date().toISOString(),
      workspaceDir: options.workspaceDir,
      cgroup,
      ...(scratch === undefined ? {} : { scratch }),
    });
    const context: LaunchContext = {
      bwrap: this.options.bwrap ?? 'bwrap',
      rootfs,
      workspaceDir: options.workspaceDir,
      readOnly: options.readOnly === true,
      tmpBytes: limits.tmpBytes,
      timeoutMs: limits.commandTimeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
      procsFiles: procsFiles(cgroup),
      cgroups: cgroup,
      ...(scratch === undefined ? {} : { scratch }),
      dropPrivileges: this.asRoot,
      oomKills: () => oomKills(cgroup),
    };
    return new BubblewrapSandbox(id, options.workspaceDir, context, cgroup, this.state, scratch);
  }

  /** Lists the bubblewrap sandboxes recorded under this data directory, whoever created them. */
  async list(): Promise<SandboxInfo[]> {
    return (await this.state.all()).map((record) => ({
      id: record.id,
      labels: record.labels,
      state: 'running',
      createdAt: record.createdAt,
      ownerAlive: isOwnerAlive(record.labels.owner),
    }));
  }

  /** Kills what is left of sandboxes whose owner process is gone, removes their cgroups, mounts and records, and returns their ids. */
  async reap(): Promise<string[]> {
    const removed: string[] = [];
    for (const record of await this.state.all()) {
      if (isOwnerAlive(record.labels.owner)) continue;
      await removeCgroup(record.cgroup);
      if (record.scratch !== undefined) await removeScratch(record.scratch);
      await this.state.remove(record.id);
      removed.push(record.id);
    }
    return removed;
  }

  /** Host mode; as root its passwd/group live in the stage directory, which uid 1000 can always reach. */
  private async hostRoot(): Promise<RootfsSpec> {
    if (this.asRoot) await ensureStageDirs();
    return hostRootfs(this.asRoot ? STAGE_DIR : join(this.dataDir, 'bwrap-host'), SANDBOX_HOME);
  }

  private async prepareRootfs(image: string): Promise<RootfsSpec> {
    const mode = this.options.rootfs ?? 'auto';
    if (mode === 'host') return this.hostRoot();
    const dir = rootfsDir(this.dataDir, image);
    if (rootfsReady(dir)) return { kind: 'image', dir };
    const docker = this.options.docker ?? new Dockerode();
    const present = await docker
      .getImage(image)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (present) {
      this.options.onProgress?.(`sandbox: exporting ${image} to ${dir} for bubblewrap (once)`);
      try {
        await exportRootfs(docker, image, dir);
      } catch (error) {
        throw new CodecrewError('SANDBOX_FAILED', `could not export ${image} to ${dir}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      return { kind: 'image', dir };
    }
    if (mode === 'image') {
      throw new CodecrewError(
        'SANDBOX_IMAGE_MISSING',
        `no root filesystem for ${image} at ${dir}, and Docker does not have the image to export it; build it: npm run setup (then it is exported on first use), or build ${dir} with buildRootfs() (root, mmdebstrap), or set the bubblewrap rootfs to 'host'`,
        { details: { image, dir } },
      );
    }
    this.options.onProgress?.(
      `sandbox: no root filesystem for ${image}; bubblewrap sandboxes use the host's /usr read-only (run npm run setup for the image's tools)`,
    );
    return this.hostRoot();
  }

  /** Runs `true` in a sandbox made the way commands run; throws SANDBOX_UNAVAILABLE saying what to install. */
  private async probe(): Promise<void> {
    if (this.asRoot) await ensureStageDirs();
    await mkdir(this.state.dir, { recursive: true });
    const context = {
      bwrap: this.options.bwrap ?? 'bwrap',
      procsFiles: [],
      dropPrivileges: this.asRoot,
      rootfs: await this.hostRoot(),
      workspaceDir: this.state.dir,
    };
    const args = bwrapArgs({
      rootfs: context.rootfs,
      sources: bindSources(context),
      readOnly: true,
      tmpBytes: 1024 * 1024,
      home: SANDBOX_HOME,
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/workspace',
      argv: ['true'],
    });
    const [file, ...rest] = launchArgv(context, args);
    const result = await new Promise<{ code: number | null; stderr: string; error?: NodeJS.ErrnoException }>((done) => {
      const child = spawn(file ?? 'bwrap', rest, { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-2000);
      });
      child.once('error', (error: NodeJS.ErrnoException) => done({ code: null, stderr, error }));
      child.once('close', (code) => done({ code, stderr }));
    });
    const needs = this.asRoot ? 'bubblewrap ≥ 0.8 and util-linux (unshare, setpriv, mount)' : 'bubblewrap ≥ 0.8';
    if (result.error?.code === 'ENOENT') {
      throw unavailable(
        `${file ?? 'bwrap'} is not installed: install ${needs} (apt-get install bubblewrap util-linux)`,
        result.error,
      );
    }
    if (result.code !== 0) {
      throw unavailable(
        `bubblewrap cannot create a sandbox here (${result.stderr.trim() || `exit ${String(result.code)}`}); install ${needs} (apt-get install bubblewrap) and allow user namespaces (sysctl user.max_user_namespaces > 0; on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0), or use the docker driver`,
        result.error,
      );
    }
  }
}

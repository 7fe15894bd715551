import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import Dockerode from 'dockerode';
import { CodecrewError } from '@codecrew/core';
import type { Sandbox, SandboxCreateOptions, SandboxInfo, SandboxProvider } from '../types.ts';
import { AUTO_IMAGE, defaultSandboxImage } from '../image/tag.ts';
import { LABELS, containerName, containerSpec } from './container-spec.ts';
import { dockerStatus, dockerUnavailable, imageMissing, isDaemonUnreachable, sandboxFailed } from './errors.ts';
import { currentOwner, isOwnerAlive } from './owner.ts';
import { DockerSandbox } from './sandbox.ts';

/** Options of {@link DockerSandboxProvider}. */
export interface DockerSandboxProviderOptions {
  /** Owner label of the sandboxes created; defaults to `<hostname>:<pid>`. */
  owner?: string;
  /** The Docker client; defaults to one configured from DOCKER_HOST or the local socket. */
  docker?: Dockerode;
  /** What the image name `auto` stands for; defaults to {@link defaultSandboxImage}. */
  image?: string;
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

  constructor(options: DockerSandboxProviderOptions = {}) {
    this.owner = options.owner ?? currentOwner();
    this.docker = options.docker ?? new Dockerode();
    this.autoImage = options.image;
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
      throw new CodecrewError('SANDBOX_FAILED', `the workspace directory ${options.workspaceDir} does not exist; create the workspace first`, {
        details: { workspaceDir: options.workspaceDir },
      });
    }
    await this.ping();
    await this.checkImage(image);
    let spec;
    try {
      spec = containerSpec(options, image, this.owner, containerName(options.labels.job, randomBytes(4).toString('hex')));
    } catch (error) {
      throw sandboxFailed('invalid sandbox options', error);
    }
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer(spec);
    } catch (error) {
      if (dockerStatus(error) === 404) throw imageMissing(image, error);
      throw sandboxFailed(`could not create a sandbox for job ${options.labels.job}`, error);
    }
    const sandbox = new DockerSandbox(this.docker, container, options.workspaceDir, {
      timeoutMs: options.limits.commandTimeoutMs,
      maxOutputBytes: options.limits.maxOutputBytes,
    });
    try {
      await container.start();
    } catch (error) {
      await sandbox.destroy().catch(() => undefined);
      throw sandboxFailed(`could not start the sandbox for job ${options.labels.job}`, error);
    }
    return sandbox;
  }

  /** Lists every codecrew container on this daemon, whoever created it. */
  async list(): Promise<SandboxInfo[]> {
    let containers: Dockerode.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({ all: true, filters: { label: [`${LABELS.managed}=1`] } });
    } catch (error) {
      throw sandboxFailed('could not list sandboxes', error);
    }
    return containers.map((c) => {
      const owner = c.Labels[LABELS.owner] ?? '';
      return {
        id: c.Id,
        labels: {
          task: c.Labels[LABELS.task] ?? '',
          job: c.Labels[LABELS.job] ?? '',
          role: c.Labels[LABELS.role] ?? '',
          owner,
        },
        state: c.State,
        createdAt: new Date(c.Created * 1000).toISOString(),
        ownerAlive: isOwnerAlive(owner),
      };
    });
  }

  /** Force-removes the sandboxes whose owner process is gone and returns their ids. */
  async reap(): Promise<string[]> {
    const orphans = (await this.list()).filter((info) => !info.ownerAlive);
    const removed: string[] = [];
    for (const orphan of orphans) {
      try {
        await this.docker.getContainer(orphan.id).remove({ force: true, v: true });
        removed.push(orphan.id);
      } catch (error) {
        const status = dockerStatus(error);
        if (status === 404 || status === 409) continue;
        throw sandboxFailed(`could not remove orphaned sandbox ${orphan.id.slice(0, 12)}`, error);
      }
    }
    return removed;
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

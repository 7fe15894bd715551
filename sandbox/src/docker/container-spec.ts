import { isAbsolute } from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import type { SandboxCreateOptions } from '../types.ts';
import { WORKSPACE_MOUNT } from '../types.ts';

/** The uid:gid every sandbox command runs as (the image's `crew` user). */
export const SANDBOX_USER = '1000:1000';
/** HOME inside the sandbox; a small tmpfs so tools that write to it work on a read-only root. */
export const SANDBOX_HOME = '/home/crew';
const HOME_TMPFS_BYTES = 64 * 1024 * 1024;

/** Label keys codecrew puts on its containers. */
export const LABELS = {
  managed: 'codecrew.managed',
  owner: 'codecrew.owner',
  task: 'codecrew.task',
  job: 'codecrew.job',
  role: 'codecrew.role',
} as const;

/**
 * The only environment a sandbox gets. Nothing of the host's environment is
 * passed through, so model keys and tokens never enter a container.
 */
export const SANDBOX_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: SANDBOX_HOME,
  LANG: 'C.UTF-8',
  CI: '1',
};

/** `KEY=value` list of {@link SANDBOX_ENV}. */
export function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

/** A container name Docker accepts, unique enough for one host. */
export function containerName(job: string, suffix: string): string {
  const safe = job.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40);
  return `codecrew-${safe}-${suffix}`;
}

/** The Docker create request for one job's sandbox: no network, non-root, read-only root, limits. */
export function containerSpec(
  options: SandboxCreateOptions,
  image: string,
  owner: string,
  name: string,
): ContainerCreateOptions {
  if (!isAbsolute(options.workspaceDir)) {
    throw new Error(`workspaceDir must be an absolute path, got '${options.workspaceDir}'`);
  }
  const { limits, labels } = options;
  const mode = options.readOnly === true ? 'ro' : 'rw';
  return {
    name,
    Image: image,
    Cmd: ['sleep', 'infinity'],
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_MOUNT,
    Env: envList(SANDBOX_ENV),
    Labels: {
      [LABELS.managed]: '1',
      [LABELS.owner]: owner,
      [LABELS.task]: labels.task,
      [LABELS.job]: labels.job,
      [LABELS.role]: labels.role,
    },
    NetworkDisabled: true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      // tini as PID 1 reaps the zombies that killed commands leave behind.
      Init: true,
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,size=${limits.tmpBytes}`,
        [SANDBOX_HOME]: `rw,nosuid,nodev,size=${HOME_TMPFS_BYTES},uid=1000,gid=1000,mode=0700`,
      },
      PidsLimit: limits.pids,
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      Binds: [`${options.workspaceDir}:${WORKSPACE_MOUNT}:${mode}`],
      AutoRemove: false,
      Privileged: false,
      IpcMode: 'private',
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

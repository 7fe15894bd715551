import { posix } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { WORKSPACE_MOUNT } from '../types.ts';

/** The uid and gid commands run as inside a bubblewrap sandbox, as in the Docker image. */
export const BWRAP_UID = 1000;
export const BWRAP_GID = 1000;
/** Size of the `$HOME` tmpfs, as in the Docker driver. */
export const HOME_TMPFS_BYTES = 64 * 1024 * 1024;

/** The root filesystem a sandbox sees: an exported image directory, or read-only parts of the host. */
export type RootfsSpec =
  | { kind: 'image'; dir: string }
  | {
      kind: 'host';
      /** Host directories bound read-only at the same path (`/usr`, `/etc/ssl`, ...). */
      binds: string[];
      /** Top-level names that are symlinks on the host (`/bin` -> `usr/bin`), recreated as such. */
      symlinks: Array<{ target: string; path: string }>;
      /** Generated files bound read-only over their path (`/etc/passwd`, `/etc/group`). */
      files: Array<{ source: string; path: string }>;
    };

/** Everything one `bwrap` invocation needs. */
export interface BwrapSpec {
  rootfs: RootfsSpec;
  /**
   * The paths bwrap binds for an image rootfs and for the workspace: the
   * directories themselves, or where the launcher staged them (see launchArgv).
   */
  sources: { rootfs: string; workspace: string };
  readOnly: boolean;
  tmpBytes: number;
  home: string;
  /** The complete environment of the command (bwrap starts from an empty one). */
  env: Readonly<Record<string, string>>;
  /** Absolute path inside the sandbox. */
  cwd: string;
  /** The command and its arguments, run inside the sandbox. */
  argv: string[];
  /** Host directories (tmpfs) bound at /tmp and $HOME that last for the sandbox; else each command gets fresh tmpfs. */
  scratch?: { tmp: string; home: string };
  /** The sandbox's own cgroup directories by controller, shown read-only at /sys/fs/cgroup/<controller>. */
  cgroups?: Readonly<Record<string, string>>;
}

/** The sandbox directory for a workspace-relative cwd; refuses anything that leaves the workspace. */
export function sandboxCwd(cwd: string | undefined): string {
  if (cwd === undefined || cwd === '' || cwd === '.') return WORKSPACE_MOUNT;
  const normal = posix.normalize(cwd);
  if (posix.isAbsolute(cwd) || normal === '..' || normal.startsWith('../')) {
    throw new CodecrewError('PATH_OUTSIDE_WORKSPACE', `cwd '${cwd}' leaves the workspace; give a path relative to it`);
  }
  return posix.join(WORKSPACE_MOUNT, normal);
}

/** Checks extra environment variable names (values are passed as single arguments, never through a shell). */
export function checkEnvNames(env: Record<string, string> | undefined): Record<string, string> {
  if (env === undefined) return {};
  for (const key of Object.keys(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new CodecrewError('TOOL_INVALID_ARGS', `environment variable name '${key}' is not valid`);
    }
  }
  return env;
}

function rootfsArgs(rootfs: RootfsSpec, source: string): string[] {
  if (rootfs.kind === 'image') return ['--ro-bind', source, '/'];
  const args: string[] = [];
  for (const dir of rootfs.binds) args.push('--ro-bind', dir, dir);
  for (const link of rootfs.symlinks) args.push('--symlink', link.target, link.path);
  for (const file of rootfs.files) args.push('--ro-bind', file.source, file.path);
  return args;
}

function scratchArgs(spec: BwrapSpec): string[] {
  if (spec.scratch !== undefined) return ['--bind', spec.scratch.tmp, '/tmp', '--bind', spec.scratch.home, spec.home];
  return [
    '--perms',
    '1777',
    '--size',
    String(spec.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--perms',
    '0700',
    '--size',
    String(HOME_TMPFS_BYTES),
    '--tmpfs',
    spec.home,
  ];
}

/** An empty read-only /sys holding only the sandbox's own cgroup directories, so tools can read their limits. */
function sysArgs(cgroups: Readonly<Record<string, string>>): string[] {
  const entries = Object.entries(cgroups);
  if (entries.length === 0) return [];
  const binds = entries.flatMap(([controller, dir]) => ['--ro-bind', dir, `/sys/fs/cgroup/${controller}`]);
  return ['--size', String(1024 * 1024), '--tmpfs', '/sys', ...binds, '--remount-ro', '/sys'];
}

/**
 * The `bwrap` arguments of one command: every namespace unshared (so no
 * network but `lo`), no capabilities, uid/gid 1000, a read-only root, a
 * size-capped /tmp and $HOME, the workspace at /workspace, and only `env`.
 */
export function bwrapArgs(spec: BwrapSpec): string[] {
  const env = Object.entries(spec.env).flatMap(([key, value]) => ['--setenv', key, value]);
  return [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--uid',
    String(BWRAP_UID),
    '--gid',
    String(BWRAP_GID),
    '--hostname',
    'sandbox',
    '--cap-drop',
    'ALL',
    ...rootfsArgs(spec.rootfs, spec.sources.rootfs),
    '--proc',
    '/proc',
    // sysctls read through it are still the sandbox's namespaces'; only writing is refused.
    '--ro-bind',
    '/proc/sys',
    '/proc/sys',
    '--dev',
    '/dev',
    ...sysArgs(spec.cgroups ?? {}),
    ...scratchArgs(spec),
    spec.readOnly ? '--ro-bind' : '--bind',
    spec.sources.workspace,
    WORKSPACE_MOUNT,
    '--clearenv',
    ...env,
    '--chdir',
    spec.cwd,
    '--',
    ...spec.argv,
  ];
}

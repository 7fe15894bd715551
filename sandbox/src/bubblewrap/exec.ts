import { spawn } from 'node:child_process';
import { CodecrewError } from '@codecrew/core';
import type { ExecOptions, ExecResult } from '../types.ts';
import { SANDBOX_ENV, SANDBOX_HOME } from '../docker/container-spec.ts';
import { OutputCap } from '../docker/output-cap.ts';
import { settleExec } from '../exec-result.ts';
import { BWRAP_GID, BWRAP_UID, bwrapArgs, checkEnvNames, sandboxCwd } from './args.ts';
import type { RootfsSpec } from './args.ts';

/** Extra time the host waits beyond a command's limit before it kills bwrap itself. */
export const HOST_GRACE_MS = 3000;
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How every command of one sandbox is launched. */
export interface LaunchContext {
  bwrap: string;
  rootfs: RootfsSpec;
  workspaceDir: string;
  readOnly: boolean;
  tmpBytes: number;
  timeoutMs: number;
  maxOutputBytes: number;
  /** `cgroup.procs` files the launcher joins before it starts bwrap (empty: no cgroup). */
  procsFiles: string[];
  /** The sandbox's lasting /tmp and $HOME (root only); without them each command gets fresh tmpfs. */
  scratch?: { tmp: string; home: string };
  /** The sandbox's cgroup directories by controller (empty: no cgroup). */
  cgroups: Readonly<Record<string, string>>;
  /**
   * The agent runs as root: bwrap is started as uid/gid 1000 (so files written
   * in the workspace belong to 1000 on the host too), and the rootfs and
   * workspace are first bound at {@link STAGE_DIR} in a private mount namespace
   * so that uid 1000 can reach them wherever they are (a 0700 temp dir, /root).
   */
  dropPrivileges: boolean;
  /** The sandbox cgroup's OOM-kill count. */
  oomKills: () => Promise<number>;
}

/** Where a root launcher stages the rootfs (`root/`) and the workspace (`ws/`) for bwrap, in its own mount namespace. */
export const STAGE_DIR = '/run/codecrew-bwrap';

// Joins the cgroups, binds the staged directories, then becomes setpriv+bwrap:
// every process of the command is limited from its first instruction.
const LAUNCHER = [
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done',
  'n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind "$1" "$2" || exit 125; shift 2; n=$((n - 1)); done',
  'exec "$@"',
].join('\n');

/** The paths bwrap binds: staged ones when the launcher stages, else the directories themselves. */
export function bindSources(context: Pick<LaunchContext, 'rootfs' | 'workspaceDir' | 'dropPrivileges'>): {
  rootfs: string;
  workspace: string;
} {
  if (context.dropPrivileges) return { rootfs: `${STAGE_DIR}/root`, workspace: `${STAGE_DIR}/ws` };
  return { rootfs: context.rootfs.kind === 'image' ? context.rootfs.dir : '/', workspace: context.workspaceDir };
}

/**
 * The host argv that runs bwrap with `bwrapArguments`. As root: `unshare` a
 * private mount namespace, `sh` joins the cgroups and stages the binds,
 * `setpriv` drops to 1000:1000, then `bwrap`. Otherwise bwrap runs directly as
 * the agent's user (no cgroups).
 */
export function launchArgv(
  context: Pick<LaunchContext, 'bwrap' | 'procsFiles' | 'dropPrivileges' | 'rootfs' | 'workspaceDir'>,
  bwrapArguments: string[],
): string[] {
  if (!context.dropPrivileges) return [context.bwrap, ...bwrapArguments];
  const staged = bindSources({ ...context, dropPrivileges: true });
  const mounts = [
    ...(context.rootfs.kind === 'image' ? [context.rootfs.dir, staged.rootfs] : []),
    context.workspaceDir,
    staged.workspace,
  ];
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    LAUNCHER,
    'sh',
    String(context.procsFiles.length),
    ...context.procsFiles,
    String(mounts.length / 2),
    ...mounts,
    'setpriv',
    `--reuid=${BWRAP_UID}`,
    `--regid=${BWRAP_GID}`,
    '--clear-groups',
    '--',
    context.bwrap,
    ...bwrapArguments,
  ];
}

function cancelled(): CodecrewError {
  return new CodecrewError('CANCELLED', 'the command was cancelled; its processes were killed');
}

/** Runs `command` with bash as uid 1000 in a fresh bwrap sandbox, under `timeout -s KILL` and a host timer. */
export async function runBwrap(
  command: string,
  options: ExecOptions,
  context: LaunchContext,
  track: (kill: () => void) => () => void,
): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? context.timeoutMs;
  const maxOutputBytes = options.maxOutputBytes ?? context.maxOutputBytes;
  const cwd = sandboxCwd(options.cwd);
  const env = { ...SANDBOX_ENV, ...checkEnvNames(options.env) };
  if (options.signal?.aborted === true) throw cancelled();
  const args = bwrapArgs({
    rootfs: context.rootfs,
    sources: bindSources(context),
    cgroups: context.cgroups,
    ...(context.scratch === undefined ? {} : { scratch: context.scratch }),
    readOnly: context.readOnly,
    tmpBytes: context.tmpBytes,
    home: SANDBOX_HOME,
    env,
    cwd,
    argv: ['timeout', '-s', 'KILL', (timeoutMs / 1000).toFixed(3), 'bash', '-c', command],
  });
  const [file, ...rest] = launchArgv(context, args);
  if (file === undefined) throw new Error('empty launch command');
  const oomBefore = await context.oomKills();
  const started = Date.now();
  const stdout = new OutputCap(maxOutputBytes);
  const stderr = new OutputCap(maxOutputBytes);

  const child = spawn(file, rest, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { PATH: HOST_PATH } });
  const kill = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const untrack = track(kill);
  child.stdout.pipe(stdout);
  child.stderr.pipe(stderr);

  let hostTimedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    hostTimedOut = true;
    kill();
  }, timeoutMs + HOST_GRACE_MS);
  const onAbort = (): void => {
    aborted = true;
    kill();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let exitCode: number | null;
  try {
    exitCode = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('close', (code) => done(code));
    });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CodecrewError(
      missing ? 'SANDBOX_UNAVAILABLE' : 'SANDBOX_FAILED',
      missing
        ? `${file} is missing: install bubblewrap (apt-get install bubblewrap)`
        : `could not start bwrap: ${(error as Error).message}`,
      { cause: error, retryable: !missing },
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    untrack();
  }
  const durationMs = Date.now() - started;
  if (aborted) throw cancelled();
  return settleExec({
    exitCode,
    hostTimedOut,
    durationMs,
    timeoutMs,
    stdout,
    stderr,
    oomKilled: async () => (await context.oomKills()) > oomBefore,
  });
}

import { chown, chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerCreateOptions } from 'dockerode';
import { RUNNER_EXIT_FILE, RUNNER_MOUNT, RUNNER_SOCKET_DIR, RUNNER_SOCKET_NAME } from './runner-client.ts';

/** Host directory holding `runner.py`, mounted read-only at {@link RUNNER_MOUNT}. */
export const RUNNER_DIR = fileURLToPath(new URL('./runner/', import.meta.url));
/** Label naming a sandbox's state directory on the host, so a reaper can remove it. */
export const STATE_DIR_LABEL = 'codecrew.state-dir';
/** Where per-sandbox state directories go unless a provider is told otherwise. */
export const DEFAULT_STATE_ROOT = join(tmpdir(), 'codecrew-sandboxes');
/** Prefix of every state directory's name; a reaper removes only directories named like this. */
export const STATE_DIR_PREFIX = 'sb-';
// Unix socket paths are limited to 108 bytes.
const MAX_SOCKET_PATH = 100;

/** One sandbox's host-side directories. */
export interface SandboxState {
  /** `<root>/sb-XXXX`: not mounted; holds the others and `labels.json`. */
  dir: string;
  /** `<dir>/run`, mounted at /run/codecrew: the runner's socket. */
  runDir: string;
  /** Host path of the runner's socket. */
  socketPath: string;
}

/** Creates a sandbox's state directory; `run` is writable by the sandbox user (uid 1000). */
export async function createSandboxState(root: string): Promise<SandboxState> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(root, STATE_DIR_PREFIX));
  const runDir = join(dir, 'run');
  await mkdir(runDir);
  if (process.getuid?.() === 0) await chown(runDir, 1000, 1000);
  else await chmod(runDir, 0o777);
  return { dir, runDir, socketPath: join(runDir, RUNNER_SOCKET_NAME) };
}

/** Whether the socket of a state under `root` fits in a Unix socket address. */
export function socketPathFits(root: string): boolean {
  return join(root, `${STATE_DIR_PREFIX}XXXXXX`, 'run', RUNNER_SOCKET_NAME).length <= MAX_SOCKET_PATH;
}

/**
 * The container spec with the runner as its main process: the runner script
 * mounted read-only, the state's `run` directory mounted for its socket. If
 * the runner cannot start or dies, the container keeps running (`sleep`), so
 * commands fall back to `docker exec`.
 */
export function withRunner(spec: ContainerCreateOptions, state: SandboxState): ContainerCreateOptions {
  const host = spec.HostConfig ?? {};
  const socket = `${RUNNER_SOCKET_DIR}/${RUNNER_SOCKET_NAME}`;
  const script = `python3 -I -S ${RUNNER_MOUNT}/runner.py ${socket}; echo $? > ${RUNNER_SOCKET_DIR}/${RUNNER_EXIT_FILE}; exec sleep infinity`;
  return {
    ...spec,
    Cmd: ['sh', '-c', script],
    Labels: { ...spec.Labels, [STATE_DIR_LABEL]: state.dir },
    HostConfig: {
      ...host,
      Binds: [...(host.Binds ?? []), `${RUNNER_DIR}:${RUNNER_MOUNT}:ro`, `${state.runDir}:${RUNNER_SOCKET_DIR}:rw`],
    },
  };
}

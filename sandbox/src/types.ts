import type { SandboxLimits } from '@codecrew/core';

/** The path at which every sandbox sees its workspace. */
export const WORKSPACE_MOUNT = '/workspace';

/** Options for one command run inside a sandbox. */
export interface ExecOptions {
  /** Wall-clock limit for this command; defaults to the sandbox's `commandTimeoutMs`. */
  timeoutMs?: number;
  /** Working directory relative to the workspace root. */
  cwd?: string;
  /** Extra environment variables for this command only. */
  env?: Record<string, string>;
  /** Cap on stdout and on stderr, each; defaults to the sandbox's `maxOutputBytes`. */
  maxOutputBytes?: number;
  /** Aborts the command (it is killed inside the sandbox). */
  signal?: AbortSignal;
}

/** What a command did. `exitCode` is null when it was killed before exiting. */
export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  oomKilled: boolean;
  durationMs: number;
}

/** Labels every sandbox carries, so that orphans can be found and removed. */
export interface SandboxLabels {
  task: string;
  job: string;
  role: string;
}

/** How to create a sandbox. */
export interface SandboxCreateOptions {
  /** Host directory mounted at {@link WORKSPACE_MOUNT}; owned by the sandbox user. */
  workspaceDir: string;
  /** Mount the workspace read-only (planner, reviewer, asker). */
  readOnly?: boolean;
  limits: SandboxLimits;
  labels: SandboxLabels;
}

/** A running, isolated environment that executes an agent's commands. */
export interface Sandbox {
  readonly id: string;
  readonly workspaceDir: string;
  /** Runs `command` with bash in the workspace as the unprivileged sandbox user. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Stops and removes the sandbox; safe to call more than once. */
  destroy(): Promise<void>;
}

/** A sandbox as listed by a provider. */
export interface SandboxInfo {
  id: string;
  labels: SandboxLabels & { owner: string };
  state: string;
  createdAt: string;
  ownerAlive: boolean;
}

/** Creates sandboxes of one kind (Docker, ...) and cleans up after them. */
export interface SandboxProvider {
  readonly driver: string;
  /** Checks the daemon and image are usable; throws a CodecrewError saying what to do otherwise. */
  ensureReady(): Promise<void>;
  create(options: SandboxCreateOptions): Promise<Sandbox>;
  /** Lists codecrew's sandboxes on this host. */
  list(): Promise<SandboxInfo[]>;
  /** Removes sandboxes whose owning process is gone; returns their ids. */
  reap(): Promise<string[]>;
  /** Removes every sandbox of a job, whoever made it (a job delivered again supersedes the earlier deliveries); returns their ids. */
  removeJob?(jobId: string): Promise<string[]>;
  /** Fills the provider's warm pool for sandboxes with these limits, if it keeps one. */
  prewarm?(limits: SandboxLimits, options?: { readOnly?: boolean }): Promise<void>;
  /** Releases what the provider keeps (a warm pool); sandboxes handed out stay the caller's. */
  close?(): Promise<void>;
}

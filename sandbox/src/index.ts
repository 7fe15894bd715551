export { WORKSPACE_MOUNT } from './types.ts';
export type {
  ExecOptions,
  ExecResult,
  SandboxLabels,
  SandboxCreateOptions,
  Sandbox,
  SandboxInfo,
  SandboxProvider,
} from './types.ts';
export {
  SANDBOX_IMAGE_REPO,
  AUTO_IMAGE,
  IMAGE_DIR,
  RECIPE_FILES,
  sandboxImageTag,
  defaultSandboxImage,
  resolveSandboxImage,
} from './image/tag.ts';
export { BUILD_SCRIPT, buildSandboxImage } from './image/build.ts';
export type { BuildImageOptions } from './image/build.ts';
export { DockerSandboxProvider, POOL_LABEL, POOL_ROLE } from './docker/provider.ts';
export type { DockerSandboxProviderOptions } from './docker/provider.ts';
export { DockerSandbox } from './docker/sandbox.ts';
export type { DockerSandboxExtras } from './docker/sandbox.ts';
export {
  RUNNER_DIR,
  STATE_DIR_LABEL,
  DEFAULT_STATE_ROOT,
  createSandboxState,
  withRunner,
} from './docker/runner-spec.ts';
export type { SandboxState } from './docker/runner-spec.ts';
export { RunnerClient, RunnerUnavailable } from './docker/runner-client.ts';
export type { RunnerRequest, RunnerOutcome, ByteSink } from './docker/runner-client.ts';
export { WarmPool } from './pool/warm-pool.ts';
export type { WarmPoolOptions } from './pool/warm-pool.ts';
export { adoptDirectory } from './pool/adopt.ts';
export { LABELS, SANDBOX_ENV, SANDBOX_USER, containerSpec } from './docker/container-spec.ts';
export { OutputCap } from './docker/output-cap.ts';
export { currentOwner, isOwnerAlive } from './docker/owner.ts';
export { startReaper } from './reaper.ts';
export type { Reaper } from './reaper.ts';
export { Workspace, countOccurrences } from './workspace/workspace.ts';
export type { WorkspaceCreateOptions } from './workspace/workspace.ts';
export { parseRawChanges } from './workspace/raw-changes.ts';
export { BaselineCache } from './workspace/baselines.ts';
export type { WorkspaceChange } from './workspace/raw-changes.ts';
export { BubblewrapSandboxProvider } from './bubblewrap/provider.ts';
export type { BubblewrapSandboxProviderOptions, RootfsMode } from './bubblewrap/provider.ts';
export { BubblewrapSandbox } from './bubblewrap/sandbox.ts';
export { bwrapArgs } from './bubblewrap/args.ts';
export type { BwrapSpec, RootfsSpec } from './bubblewrap/args.ts';
export { buildRootfs, exportRootfs, rootfsDir } from './bubblewrap/rootfs.ts';
export type { BuildRootfsOptions } from './bubblewrap/rootfs.ts';
export { SANDBOX_DRIVERS, createSandboxProvider } from './factory.ts';
export { runProcess, ProcessStartError } from './process/run-process.ts';
export type { RunProcessOptions, ProcessOutput } from './process/run-process.ts';
export type { SandboxDriverName, SandboxProviderConfig, CreateSandboxProviderOptions } from './factory.ts';

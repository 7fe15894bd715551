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
export { DockerSandboxProvider } from './docker/provider.ts';
export type { DockerSandboxProviderOptions } from './docker/provider.ts';
export { DockerSandbox } from './docker/sandbox.ts';
export { LABELS, SANDBOX_ENV, SANDBOX_USER, containerSpec } from './docker/container-spec.ts';
export { OutputCap } from './docker/output-cap.ts';
export { currentOwner, isOwnerAlive } from './docker/owner.ts';
export { startReaper } from './reaper.ts';
export type { Reaper } from './reaper.ts';
export { Workspace, countOccurrences } from './workspace/workspace.ts';
export type { WorkspaceCreateOptions } from './workspace/workspace.ts';

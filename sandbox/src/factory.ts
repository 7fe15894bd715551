import { join } from 'node:path';
import Dockerode from 'dockerode';
import { CodecrewError } from '@codecrew/core';
import type { SandboxProvider } from './types.ts';
import { AUTO_IMAGE, defaultSandboxImage } from './image/tag.ts';
import { DockerSandboxProvider } from './docker/provider.ts';
import { BubblewrapSandboxProvider } from './bubblewrap/provider.ts';
import type { RootfsMode } from './bubblewrap/provider.ts';

/** The sandbox drivers `sandbox.driver` may name; `auto` picks Docker when it is ready, else bubblewrap. */
export const SANDBOX_DRIVERS = ['docker', 'bubblewrap', 'auto'] as const;
export type SandboxDriverName = (typeof SANDBOX_DRIVERS)[number];

/** The parts of the `sandbox` config section that choose and set up a provider. */
export interface SandboxProviderConfig {
  driver: SandboxDriverName;
  /** The image (`auto`: the one built from sandbox/image). */
  image: string;
  /** Where bubblewrap keeps exported root filesystems and state, and Docker its warm pool's state; defaults to `.codecrew`. */
  dataDir?: string;
  /** Docker: started containers kept ready per kind of sandbox (0: none). */
  warm?: number;
}

/** Options of {@link createSandboxProvider}. */
export interface CreateSandboxProviderOptions {
  docker?: Dockerode;
  owner?: string;
  /** Root filesystem of bubblewrap sandboxes; see {@link BubblewrapSandboxProviderOptions.rootfs}. */
  rootfs?: RootfsMode;
  onProgress?: (line: string) => void;
}

/**
 * The provider `config.driver` names. `auto` returns Docker when its daemon
 * answers and has the image, else bubblewrap when it works here, else throws
 * Docker's error (which says to run `npm run setup`). `auto` checks readiness
 * itself; for `docker` and `bubblewrap` call `ensureReady()`.
 */
export async function createSandboxProvider(
  config: SandboxProviderConfig,
  options: CreateSandboxProviderOptions = {},
): Promise<SandboxProvider> {
  const image = config.image === AUTO_IMAGE ? undefined : config.image;
  const docker = options.docker ?? new Dockerode();
  const makeDocker = (): DockerSandboxProvider =>
    new DockerSandboxProvider({
      docker,
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      ...(image === undefined ? {} : { image }),
      // The pool hands a workspace over by renaming it, so its state lives beside the workspaces (dataDir/work).
      ...(config.warm ? { warm: config.warm, stateDir: join(config.dataDir ?? '.codecrew', 'sandboxes') } : {}),
    });
  const makeBubblewrap = (): BubblewrapSandboxProvider =>
    new BubblewrapSandboxProvider({
      docker,
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      ...(image === undefined ? {} : { image }),
      ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
      ...(options.rootfs === undefined ? {} : { rootfs: options.rootfs }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  switch (config.driver) {
    case 'docker':
      return makeDocker();
    case 'bubblewrap':
      return makeBubblewrap();
    case 'auto': {
      const dockerProvider = makeDocker();
      let dockerError: unknown;
      try {
        await dockerProvider.ensureReady();
        return dockerProvider;
      } catch (error) {
        dockerError = error;
      }
      const bubblewrap = makeBubblewrap();
      try {
        await bubblewrap.ensureReady();
        options.onProgress?.(`sandbox: Docker is not ready (${(dockerError as Error).message}); using bubblewrap`);
        return bubblewrap;
      } catch (error) {
        if (dockerError instanceof CodecrewError) throw dockerError;
        throw new CodecrewError(
          'DOCKER_UNAVAILABLE',
          `no sandbox driver is usable: Docker (${String(dockerError)}) and bubblewrap (${(error as Error).message}); run npm run setup`,
          {
            cause: dockerError,
            details: { image: image ?? defaultSandboxImage() },
          },
        );
      }
    }
  }
}

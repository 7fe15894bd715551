import { join } from 'node:path';
import { BubblewrapSandboxProvider, DockerSandboxProvider, type SandboxProvider } from '@codecrew/sandbox';
import { ROOT } from '../support/cli.ts';

/** A sandbox driver under test: every driver must pass the contract and escape suites. */
export interface DriverUnderTest {
  name: string;
  create(): SandboxProvider;
}

/**
 * Every sandbox driver codecrew ships. Bubblewrap runs on the sandbox image's
 * root filesystem (exported from Docker into .codecrew/rootfs on first use),
 * so both drivers run the same tools.
 */
export function sandboxDrivers(): DriverUnderTest[] {
  return [
    { name: 'docker', create: () => new DockerSandboxProvider() },
    {
      name: 'bubblewrap',
      create: () => new BubblewrapSandboxProvider({ dataDir: join(ROOT, '.codecrew'), rootfs: 'image' }),
    },
  ];
}

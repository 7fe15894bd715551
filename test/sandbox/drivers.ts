import { DockerSandboxProvider, type SandboxProvider } from '@codecrew/sandbox';

/** A sandbox driver under test: every driver must pass the contract and escape suites. */
export interface DriverUnderTest {
  name: string;
  create(): SandboxProvider;
}

/** Every sandbox driver codecrew ships. */
export function sandboxDrivers(): DriverUnderTest[] {
  return [{ name: 'docker', create: () => new DockerSandboxProvider() }];
}

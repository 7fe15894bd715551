import { execFileSync } from 'node:child_process';

function check(what: string, command: string, args: string[], hint: string): string | null {
  try {
    execFileSync(command, args, { stdio: 'pipe', timeout: 20_000 });
    return null;
  } catch {
    return `${what} is not available (${command} ${args.join(' ')} failed). ${hint}`;
  }
}

/**
 * Global setup of the integration project: Docker and NATS must be there.
 * Integration tests never skip themselves; without them the run fails here,
 * saying what to install.
 */
export default function setup(): void {
  const problems = [
    check(
      'The Docker daemon',
      'docker',
      ['info', '--format', '{{.ServerVersion}}'],
      'Run `npm run setup` (installs docker.io and starts dockerd).',
    ),
    check(
      'nats-server',
      'nats-server',
      ['--version'],
      'Run `npm run setup` (installs nats-server), or apt-get install nats-server.',
    ),
  ].filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new Error(`integration tests cannot run:\n- ${problems.join('\n- ')}`);
}

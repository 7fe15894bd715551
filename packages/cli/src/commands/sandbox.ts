import { parseArgs } from 'node:util';
import { DockerSandboxProvider, buildSandboxImage, defaultSandboxImage } from '@codecrew/sandbox';
import { usageError, type Io } from '../io.ts';
import { removeStaleExecWorkspaces, sandboxExecCommand } from './sandbox-exec.ts';

/** `codecrew sandbox build|ls|prune|exec`: the sandbox image, codecrew's containers, one command in a sandbox. */
export async function sandboxCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'exec') return sandboxExecCommand(rest, io);
  const { values } = parseArgs({ args: rest, options: { force: { type: 'boolean', default: false } } });
  switch (sub) {
    case 'build':
      await buildSandboxImage({ force: values.force, onProgress: (line: string) => io.out(line) });
      io.out(`sandbox image ready: ${defaultSandboxImage()}`);
      return 0;
    case 'ls': {
      const containers = await new DockerSandboxProvider().list();
      if (containers.length === 0) io.out('no codecrew containers');
      for (const c of containers) {
        io.out(
          `${c.id.slice(0, 12)}  ${c.state.padEnd(8)} task=${c.labels.task} job=${c.labels.job} role=${c.labels.role} owner=${c.labels.owner}${c.ownerAlive ? '' : ' (owner gone)'}`,
        );
      }
      return 0;
    }
    case 'prune': {
      const removed = await new DockerSandboxProvider().reap();
      io.out(
        removed.length === 0
          ? 'nothing to remove'
          : `removed ${removed.length} orphaned container(s): ${removed.map((id) => id.slice(0, 12)).join(', ')}`,
      );
      const workspaces = await removeStaleExecWorkspaces();
      if (workspaces.length > 0)
        io.out(`removed ${workspaces.length} workspace(s) of killed sandbox exec runs: ${workspaces.join(', ')}`);
      return 0;
    }
    default:
      throw usageError(`unknown sandbox command "${sub ?? ''}"; use build, ls, prune or exec`);
  }
}

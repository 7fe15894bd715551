import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { CodecrewError } from '@codecrew/core';

const INSTALL_HINT = 'install it: apt-get install nats-server (or pass the path of a nats-server binary)';
const DEBIAN_PATH = '/usr/sbin/nats-server';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * Finds the nats-server executable: `binary` as given (a path, or a name looked up on PATH), else
 * `nats-server` on PATH, else Debian's `/usr/sbin/nats-server` (sbin is often not on a user's PATH).
 */
export function resolveNatsBinary(binary?: string): string {
  if (binary !== undefined && binary !== 'nats-server') {
    const found = binary.includes('/') ? (isExecutable(binary) ? binary : null) : onPath(binary);
    if (found === null) {
      throw new CodecrewError(
        'NATS_START_FAILED',
        `nats-server binary "${binary}" not found or not executable; ${INSTALL_HINT}`,
        {
          details: { binary },
        },
      );
    }
    return isAbsolute(found) ? found : join(process.cwd(), found);
  }
  const found = onPath('nats-server') ?? (isExecutable(DEBIAN_PATH) ? DEBIAN_PATH : null);
  if (found === null) {
    throw new CodecrewError('NATS_START_FAILED', `nats-server is not on PATH nor at ${DEBIAN_PATH}; ${INSTALL_HINT}`);
  }
  return found;
}

/** The `setpriv` executable when present: it makes the kernel stop the server when its parent dies. */
export function findSetpriv(): string | null {
  return onPath('setpriv') ?? (isExecutable('/usr/bin/setpriv') ? '/usr/bin/setpriv' : null);
}

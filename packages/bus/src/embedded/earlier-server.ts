import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file a nats-server started by codecrew writes its pid to, inside its store folder. */
export function pidFileOf(dataDir: string): string {
  return join(dataDir, 'nats-server.pid');
}

const TERM_GRACE_MS = 10_000;
const POLL_MS = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is a nats-server whose command line names `dataDir` (and not some process that reused the pid). */
function isServerOf(pid: number, dataDir: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((arg) => arg.endsWith('nats-server')) && args.includes(dataDir);
  } catch {
    return false;
  }
}

async function exitWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/**
 * Stops a nats-server still running on `dataDir` from an earlier process (one that was killed while its
 * server shut down): nats-server takes no lock on its store, and two servers on one store damage it. The
 * server gets SIGTERM and 10 s to write its state, then SIGKILL. Returns the pid it stopped, or null.
 */
export async function stopEarlierServer(dataDir: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFileOf(dataDir), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !isServerOf(pid, dataDir)) return null;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return null;
  }
  if (!(await exitWithin(pid, TERM_GRACE_MS))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // it ended between the check and the kill
    }
    await exitWithin(pid, TERM_GRACE_MS);
  }
  return pid;
}

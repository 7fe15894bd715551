import { hostname } from 'node:os';

/** The owner label of sandboxes this process creates: `<hostname>:<pid>`. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Whether the process named by an owner label still runs. Owners on another host
 * cannot be checked from here and count as alive, so a shared daemon's reapers
 * never remove each other's sandboxes. A reused pid counts as alive (accepted risk).
 */
export function isOwnerAlive(owner: string): boolean {
  const at = owner.lastIndexOf(':');
  if (at <= 0) return false;
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host !== hostname()) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

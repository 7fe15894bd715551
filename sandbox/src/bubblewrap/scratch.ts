import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BWRAP_GID, BWRAP_UID, HOME_TMPFS_BYTES } from './args.ts';

const run = promisify(execFile);

/** A sandbox's own size-capped `/tmp` and `$HOME`: host tmpfs mounts that last as long as the sandbox. */
export interface Scratch {
  tmp: string;
  home: string;
}

/**
 * Mounts two tmpfs for sandbox `id` under `<stageDir>/sandboxes/<id>/` (root
 * only): `/tmp` capped at `tmpBytes`, `$HOME` at 64 MiB and owned by 1000, so
 * that what one command leaves there is seen by the next, as in a container.
 */
export async function createScratch(stageDir: string, id: string, tmpBytes: number): Promise<Scratch> {
  const base = join(stageDir, 'sandboxes', id);
  const scratch = { tmp: join(base, 'tmp'), home: join(base, 'home') };
  try {
    await mkdir(scratch.tmp, { recursive: true, mode: 0o755 });
    await mkdir(scratch.home, { recursive: true, mode: 0o755 });
    await run('mount', ['-t', 'tmpfs', '-o', `rw,nosuid,nodev,size=${tmpBytes},mode=1777`, 'tmpfs', scratch.tmp]);
    await run('mount', [
      '-t',
      'tmpfs',
      '-o',
      `rw,nosuid,nodev,size=${HOME_TMPFS_BYTES},mode=0700,uid=${BWRAP_UID},gid=${BWRAP_GID}`,
      'tmpfs',
      scratch.home,
    ]);
    return scratch;
  } catch (error) {
    await removeScratch(scratch);
    throw error;
  }
}

/** Unmounts and removes a sandbox's scratch directories; missing ones are fine. */
export async function removeScratch(scratch: Scratch): Promise<void> {
  for (const dir of [scratch.tmp, scratch.home]) {
    // Lazy: a process still exiting must not keep the mount (and its memory) around.
    await run('umount', ['-l', dir]).catch(() => undefined);
  }
  await rm(join(scratch.tmp, '..'), { recursive: true, force: true });
}

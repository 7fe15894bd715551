import { chmod, chown, mkdir, readdir, rename, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Whether `a` and `b` (existing paths) are on one filesystem, so a rename can move between them. */
export async function sameFilesystem(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  return sa.dev === sb.dev;
}

/**
 * Makes `mounted` (a directory a running container already bind-mounts) take
 * the place of `target`: the entries of `target` move into it, then it is
 * renamed to `target`'s path. A bind mount follows its directory through a
 * rename, so the container now sees the tree at `target`, and the host keeps
 * using the same path. Only renames: the cost does not depend on the tree's size.
 * Needs both on one filesystem; on failure the entries moved so far go back.
 */
export async function adoptDirectory(mounted: string, target: string): Promise<void> {
  if (!(await sameFilesystem(mounted, dirname(target)))) {
    throw new Error(`${mounted} and ${target} are on different filesystems`);
  }
  const info = await stat(target);
  const entries = await readdir(target);
  const moved: string[] = [];
  try {
    for (const entry of entries) {
      await rename(join(target, entry), join(mounted, entry));
      moved.push(entry);
    }
    await chown(mounted, info.uid, info.gid).catch(() => undefined);
    await chmod(mounted, info.mode & 0o7777);
    await rmdir(target);
    await rename(mounted, target);
  } catch (error) {
    await mkdir(target, { mode: info.mode & 0o7777 }).catch(() => undefined);
    for (const entry of moved) await rename(join(mounted, entry), join(target, entry)).catch(() => undefined);
    throw error;
  }
}

import type { GitRepo } from './repo.ts';

/** One path that differs between two trees: its new mode and blob, or null for a deletion. */
export interface TreeChange {
  path: string;
  /** The new mode (100644, 100755, 120000, 160000), or null when the path was deleted. */
  mode: string | null;
  /** The new object id, or null when the path was deleted. */
  blob: string | null;
}

/** Every file-level change from `from` to `to` (recursive, renames as delete + add). */
export async function treeChanges(repo: GitRepo, from: string, to: string): Promise<TreeChange[]> {
  const out = await repo.run(['diff-tree', '-r', '-z', '--no-renames', from, to]);
  // -z records: ":oldmode newmode oldsha newsha status\0path\0"
  const parts = out.stdout.split('\0');
  const changes: TreeChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [, , newMode = '', , newSha = '', status = ''] = (parts[i] ?? '').split(/[: ]/);
    const path = parts[i + 1] ?? '';
    if (path === '') continue;
    const deleted = status.startsWith('D');
    changes.push({ path, mode: deleted ? null : newMode, blob: deleted ? null : newSha });
  }
  return changes;
}

/**
 * The paths of one side of a merge, for telling whether another side touches
 * any of them: the same path, or one inside the other (a file where the other
 * side has a directory).
 */
export class PathSet {
  private readonly paths = new Set<string>();
  private readonly dirs = new Set<string>();

  constructor(paths: Iterable<string> = []) {
    this.addAll(paths);
  }

  /** Adds paths, and every directory above them. */
  addAll(paths: Iterable<string>): void {
    for (const path of paths) {
      this.paths.add(path);
      for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) this.dirs.add(path.slice(0, at));
    }
  }

  /** Whether `path` is in the set, is a directory of it, or lies below one of its files. */
  overlaps(path: string): boolean {
    if (this.paths.has(path) || this.dirs.has(path)) return true;
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1))
      if (this.paths.has(path.slice(0, at))) return true;
    return false;
  }
}

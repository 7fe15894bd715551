import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Directories whose contents listings leave out (the directory itself is listed). */
export const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
/** Listings stop after this many entries. */
export const MAX_LIST_ENTRIES = 2000;

/**
 * Lists the tree below `absDir` to `depth` levels, as paths relative to the
 * workspace (`relDir` prefix), directories with a trailing '/'. Symlinks are
 * listed, never followed.
 */
export async function listTree(absDir: string, relDir: string, depth: number): Promise<string> {
  const out: string[] = [];
  let more = false;
  const walk = async (abs: string, rel: string, level: number): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (out.length >= MAX_LIST_ENTRIES) {
        more = true;
        return;
      }
      const path = rel === '.' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out.push(`${path}/`);
        if (level < depth && !SKIPPED_DIRS.has(entry.name)) await walk(join(abs, entry.name), path, level + 1);
      } else {
        out.push(path);
      }
    }
  };
  await walk(absDir, relDir, 1);
  if (out.length === 0) return `(${relDir === '.' ? 'the workspace' : relDir} is empty)`;
  if (more) out.push(`(listing stopped at ${MAX_LIST_ENTRIES} entries; list a subdirectory or lower the depth)`);
  return out.join('\n');
}

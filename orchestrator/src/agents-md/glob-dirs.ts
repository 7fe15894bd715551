const WILDCARD = /[*?[\]{}]/;

/**
 * The directories a subtask's file globs point into, for choosing its
 * AGENTS.md files: each glob's path up to its first segment with a wildcard
 * (`src/api/**` → `src/api`, `src/*.ts` → `src`, `**\/*.py` → `.`). A glob
 * without wildcards names a file (so its directory), or a directory when the
 * tree's `files` lie below it. Paths that would leave the repository count
 * as the root.
 */
export function globDirs(globs: readonly string[], files: readonly string[] = []): string[] {
  const dirs = new Set<string>();
  for (const glob of globs) {
    const segments = glob
      .replace(/\\/g, '/')
      .split('/')
      .filter((s) => s !== '' && s !== '.');
    if (segments.includes('..') || glob.startsWith('/')) {
      dirs.add('.');
      continue;
    }
    const wild = segments.findIndex((s) => WILDCARD.test(s));
    let keep = wild === -1 ? segments.length : wild;
    if (wild === -1 && !isDirectory(segments.join('/'), files, glob.endsWith('/'))) keep -= 1;
    dirs.add(keep <= 0 ? '.' : segments.slice(0, keep).join('/'));
  }
  return [...dirs].sort();
}

function isDirectory(path: string, files: readonly string[], trailingSlash: boolean): boolean {
  if (trailingSlash) return true;
  const prefix = `${path}/`;
  return files.some((file) => file.startsWith(prefix));
}

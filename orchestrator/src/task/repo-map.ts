/** Lines a repository map holds at most. */
export const REPO_MAP_MAX_LINES = 200;
/** Directory levels a repository map shows at most; deeper ones are summarised. */
const MAX_DEPTH = 6;

interface Dir {
  dirs: Map<string, Dir>;
  files: string[];
  /** Files below, at any depth. */
  total: number;
}

const newDir = (): Dir => ({ dirs: new Map(), files: [], total: 0 });

function buildTree(paths: readonly string[]): Dir {
  const root = newDir();
  for (const path of paths) {
    const parts = path.split('/').filter((p) => p !== '');
    const name = parts.pop();
    if (name === undefined) continue;
    let dir = root;
    root.total++;
    for (const part of parts) {
      let next = dir.dirs.get(part);
      if (next === undefined) {
        next = newDir();
        dir.dirs.set(part, next);
      }
      next.total++;
      dir = next;
    }
    dir.files.push(name);
  }
  return root;
}

/** Renders `dir`'s entries at `depth` (1-based), directories first; those at `maxDepth` with contents are summarised. */
function render(dir: Dir, depth: number, maxDepth: number, out: string[]): void {
  const indent = '  '.repeat(depth - 1);
  for (const [name, child] of [...dir.dirs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // A chain of directories that each hold only one directory is one line: src/main/java/
    let label = `${name}/`;
    let node = child;
    while (node.files.length === 0 && node.dirs.size === 1) {
      const [[next, inner]] = [...node.dirs] as [[string, Dir]];
      label += `${next}/`;
      node = inner;
    }
    if (depth >= maxDepth) {
      out.push(`${indent}${label} (${node.total} file${node.total === 1 ? '' : 's'})`);
      continue;
    }
    out.push(`${indent}${label}`);
    render(node, depth + 1, maxDepth, out);
  }
  for (const file of [...dir.files].sort()) out.push(`${indent}${file}`);
}

/**
 * A compact map of a repository's files for an agent's prompt: an indented
 * tree, directories first, as deep as fits in {@link REPO_MAP_MAX_LINES}
 * lines (deeper directories shown as `name/ (N files)`), cut with a note
 * when even the top level does not fit.
 */
export function repoMap(paths: readonly string[], maxLines = REPO_MAP_MAX_LINES): string {
  const root = buildTree(paths);
  let lines: string[] = [];
  for (let depth = MAX_DEPTH; depth >= 1; depth--) {
    lines = [];
    render(root, 1, depth, lines);
    if (lines.length <= maxLines) return lines.join('\n');
  }
  const cut = lines.length - maxLines;
  return [...lines.slice(0, maxLines), `… (${cut} more entries; use list_files to see them)`].join('\n');
}

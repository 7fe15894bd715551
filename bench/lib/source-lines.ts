import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Non-blank lines under `src/` of each workspace package, and their sum. */
export interface SourceLines {
  total: number;
  /** Keyed by the workspace's folder, e.g. `packages/core`. */
  byPackage: Record<string, number>;
}

/**
 * Counts the non-blank lines of the text files in `src/` of every workspace
 * named in the root `package.json`: of the working tree (tracked and
 * untracked, not ignored) or, given `rev`, of that commit. One `git grep`.
 */
export async function sourceLines(root: string, rev?: string): Promise<SourceLines> {
  const manifest =
    rev === undefined
      ? await readFile(join(root, 'package.json'), 'utf8')
      : (await execFileP('git', ['show', `${rev}:package.json`], { cwd: root })).stdout;
  const workspaces = (JSON.parse(manifest) as { workspaces?: string[] }).workspaces ?? [];
  const byPackage: Record<string, number> = Object.fromEntries(workspaces.map((ws) => [ws, 0]));
  const args = [
    'grep',
    '-I',
    '-c',
    '-E',
    ...(rev === undefined ? ['--untracked'] : []),
    '-e',
    '[^[:space:]]',
    ...(rev === undefined ? [] : [rev]),
    '--',
    ...workspaces.map((ws) => `${ws}/src`),
  ];
  // git grep exits 1 when nothing matches: zero lines, not a failure.
  const stdout = await execFileP('git', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }).then(
    (result) => result.stdout,
    (error: { code?: number; stdout?: string }) => {
      if (error.code === 1) return '';
      throw error;
    },
  );
  for (const line of stdout.split('\n')) {
    const at = line.lastIndexOf(':');
    if (at < 0) continue;
    const path = rev === undefined ? line.slice(0, at) : line.slice(rev.length + 1, at);
    const ws = workspaces.find((w) => path.startsWith(`${w}/src/`));
    if (ws !== undefined) byPackage[ws] = (byPackage[ws] ?? 0) + Number(line.slice(at + 1));
  }
  return { total: Object.values(byPackage).reduce((sum, n) => sum + n, 0), byPackage };
}

import type { GitRepo } from './repo.ts';

/**
 * The contents of the files at `paths` in `commit`, read with one
 * `git cat-file --batch`; paths that are missing or not files are left out.
 */
export async function readFilesAt(
  repo: GitRepo,
  commit: string,
  paths: readonly string[],
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const asked = paths.filter((path) => !path.includes('\n'));
  if (asked.length === 0) return found;
  const { stdout } = await repo.runBuffer(['cat-file', '--batch'], {
    input: asked.map((path) => `${commit}:${path}\n`).join(''),
  });
  let at = 0;
  for (const path of asked) {
    const end = stdout.indexOf(0x0a, at);
    if (end < 0) break;
    const header = stdout.subarray(at, end).toString('utf8');
    at = end + 1;
    // "<oid> <type> <size>" is followed by the contents and a newline; "<name> missing" by nothing.
    const match = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (match === null) continue;
    const size = Number(match[2]);
    if (match[1] === 'blob') found.set(path, stdout.subarray(at, at + size));
    at += size + 1;
  }
  return found;
}

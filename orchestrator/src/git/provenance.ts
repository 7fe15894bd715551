import type { GitRepo } from './repo.ts';

/** Who wrote one hunk of the final diff. */
export interface HunkProvenance {
  file: string;
  hunk: string;
  /** Commits of the integration history that wrote the hunk's added lines (or touched the file, for pure deletions). */
  commits: string[];
  /** True when the hunk only deletes lines and is attributed to the commits that touched the file. */
  inferred: boolean;
}

/** One hunk of a unified diff. */
export interface DiffHunk {
  file: string;
  header: string;
  /** The first line of the hunk in the new file, and how many lines of the new file it spans. */
  newStart: number;
  newCount: number;
  addedLines: number[];
}

/** Splits a unified diff into hunks with their new-side range and the new-side line numbers of their added lines. */
export function parseHunks(patch: string): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let file = '';
  let current: DiffHunk | null = null;
  let newLine = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = null;
      file = line.replace(/^diff --git a\/.* b\//, '');
    } else if (line.startsWith('+++ ')) {
      if (line !== '+++ /dev/null') file = line.slice(6);
    } else if (line.startsWith('@@')) {
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      newLine = Number(match?.[1] ?? 0);
      const newCount = match?.[2] === undefined ? 1 : Number(match[2]);
      current = { file, header: line.replace(/^(@@[^@]*@@).*$/, '$1'), newStart: newLine, newCount, addedLines: [] };
      hunks.push(current);
    } else if (current !== null) {
      if (line.startsWith('+')) {
        current.addedLines.push(newLine);
        newLine += 1;
      } else if (line.startsWith(' ')) {
        newLine += 1;
      }
    }
  }
  return hunks;
}

/** Line number → commit of every line of `file` at `commit`. */
async function blame(repo: GitRepo, commit: string, file: string): Promise<Map<number, string>> {
  const out = await repo.run(['blame', '--porcelain', '-l', commit, '--', file], { allowExitCodes: [128] });
  const lines = new Map<number, string>();
  if (out.code !== 0) return lines;
  for (const line of out.stdout.split('\n')) {
    const match = /^([0-9a-f]{40}) \d+ (\d+)/.exec(line);
    if (match?.[1] && match[2]) lines.set(Number(match[2]), match[1]);
  }
  return lines;
}

/** Commit ids of `base..head` and, per file, the ones that touched it (newest first), from one `git log`. */
async function touchingCommits(
  repo: GitRepo,
  base: string,
  head: string,
): Promise<{ history: Set<string>; touching: Map<string, string[]> }> {
  const log = await repo.run(['log', '--format=format:%H', '--name-only', '--no-renames', '-z', `${base}..${head}`]);
  const history = new Set<string>();
  const touching = new Map<string, string[]>();
  // Records: "<id>\n<file>\0<file>\0", separated by an extra NUL.
  for (const record of log.stdout.split('\0\0')) {
    const newline = record.indexOf('\n');
    const id = (newline === -1 ? record : record.slice(0, newline)).replace(/^\0+/, '');
    if (!/^[0-9a-f]{40,64}$/.test(id)) continue;
    history.add(id);
    const files = newline === -1 ? [] : record.slice(newline + 1).split('\0');
    for (const file of files) if (file !== '') touching.set(file, [...(touching.get(file) ?? []), id]);
  }
  return { history, touching };
}

/**
 * Traces every hunk of the diff `base..head` to the commits of the (linear)
 * integration history that wrote it: a file only one commit touched is that
 * commit's; the others are read with git blame.
 */
export async function hunkProvenance(
  repo: GitRepo,
  base: string,
  head: string,
  patch: string,
): Promise<HunkProvenance[]> {
  const { history, touching } = await touchingCommits(repo, base, head);
  const blames = new Map<string, Map<number, string>>();
  const result: HunkProvenance[] = [];
  for (const hunk of parseHunks(patch)) {
    const commits = touching.get(hunk.file) ?? [];
    if (hunk.addedLines.length === 0) {
      result.push({ file: hunk.file, hunk: hunk.header, commits, inferred: true });
    } else if (commits.length === 1) {
      result.push({ file: hunk.file, hunk: hunk.header, commits, inferred: false });
    } else {
      let lines = blames.get(hunk.file);
      if (!lines) {
        lines = await blame(repo, head, hunk.file);
        blames.set(hunk.file, lines);
      }
      const found = [
        ...new Set(
          hunk.addedLines.map((n) => lines?.get(n)).filter((c): c is string => c !== undefined && history.has(c)),
        ),
      ];
      result.push({ file: hunk.file, hunk: hunk.header, commits: found, inferred: false });
    }
  }
  return result;
}

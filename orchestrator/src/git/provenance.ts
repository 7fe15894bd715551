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

interface Hunk {
  file: string;
  header: string;
  addedLines: number[];
}

/** Splits a unified diff into hunks with the new-side line numbers of their added lines. */
export function parseHunks(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let file = '';
  let current: Hunk | null = null;
  let newLine = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = null;
      file = line.replace(/^diff --git a\/.* b\//, '');
    } else if (line.startsWith('+++ ')) {
      if (line !== '+++ /dev/null') file = line.slice(6);
    } else if (line.startsWith('@@')) {
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      newLine = Number(match?.[1] ?? 0);
      current = { file, header: line.replace(/^(@@[^@]*@@).*$/, '$1'), addedLines: [] };
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

/**
 * Traces every hunk of the diff `base..head` to the commits of the (linear)
 * integration history that wrote it, with git blame.
 */
export async function hunkProvenance(repo: GitRepo, base: string, head: string, patch: string): Promise<HunkProvenance[]> {
  const history = new Set(
    (await repo.run(['rev-list', `${base}..${head}`])).stdout.split('\n').filter((line) => line !== ''),
  );
  const blames = new Map<string, Map<number, string>>();
  const touching = new Map<string, string[]>();
  const result: HunkProvenance[] = [];
  for (const hunk of parseHunks(patch)) {
    if (hunk.addedLines.length > 0) {
      let lines = blames.get(hunk.file);
      if (!lines) {
        lines = await blame(repo, head, hunk.file);
        blames.set(hunk.file, lines);
      }
      const commits = [...new Set(hunk.addedLines.map((n) => lines?.get(n)).filter((c): c is string => c !== undefined && history.has(c)))];
      result.push({ file: hunk.file, hunk: hunk.header, commits, inferred: false });
    } else {
      let commits = touching.get(hunk.file);
      if (!commits) {
        const log = await repo.run(['log', '--format=%H', `${base}..${head}`, '--', hunk.file]);
        commits = log.stdout.split('\n').filter((line) => line !== '');
        touching.set(hunk.file, commits);
      }
      result.push({ file: hunk.file, hunk: hunk.header, commits, inferred: true });
    }
  }
  return result;
}

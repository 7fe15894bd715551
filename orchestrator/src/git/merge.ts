import { commitTree } from './tree.ts';
import type { GitRepo } from './repo.ts';

/** One conflicted path and git's conflict type for it (contents, modify/delete, binary, ...). */
export interface MergeConflict {
  path: string;
  kind: string;
}

/** Result of merging one candidate into the integration state. */
export interface MergeOutcome {
  clean: boolean;
  /** The new integration commit, when clean. */
  commit?: string;
  conflicts: MergeConflict[];
  /** Text of each conflicted file as git left it (with conflict markers), when not clean; binary files are left out. */
  conflictFiles?: Record<string, string>;
  /** The merged tree with conflict markers in the conflicted files, when not clean; a resolver starts from it. */
  conflictTree?: string;
  /** git's informational and conflict messages, one per line. */
  messages: string;
}

interface ParsedMergeTree {
  tree: string;
  conflictedPaths: string[];
  messages: Array<{ paths: string[]; type: string; text: string }>;
}

/** Parses `git merge-tree --write-tree -z` output. */
export function parseMergeTreeOutput(stdout: string): ParsedMergeTree {
  const parts = stdout.split('\0');
  const tree = parts[0] ?? '';
  const conflictedPaths: string[] = [];
  let i = 1;
  for (; i < parts.length; i++) {
    const match = /^\d{6} [0-9a-f]+ \d\t(.*)$/s.exec(parts[i] ?? '');
    if (match === null) break;
    const path = match[1] ?? '';
    if (!conflictedPaths.includes(path)) conflictedPaths.push(path);
  }
  if (parts[i] === '') i++;
  const messages: ParsedMergeTree['messages'] = [];
  while (i < parts.length) {
    const count = Number(parts[i]);
    if (!Number.isInteger(count) || (parts[i] ?? '') === '') break;
    const paths = parts.slice(i + 1, i + 1 + count);
    const type = parts[i + 1 + count] ?? '';
    const text = (parts[i + 2 + count] ?? '').trimEnd();
    messages.push({ paths, type, text });
    i += count + 3;
  }
  return { tree, conflictedPaths, messages };
}

function kindOf(type: string): string {
  const match = /^CONFLICT \((.*)\)$/.exec(type);
  return match?.[1] ?? type;
}

/**
 * A true 3-way merge of `candidate` into `integration` relative to `mergeBase`,
 * without a worktree or index. When clean, commits the merged tree with the single
 * parent `integration` (a linear integration history); when not, reports the
 * conflicted paths and their marker-laden contents.
 */
export async function mergeInto(
  repo: GitRepo,
  opts: { integration: string; candidate: string; mergeBase: string; message: string },
): Promise<MergeOutcome> {
  // Nothing was merged since the candidate's base: its tree is the merge (a fast-forward, one git call).
  if (opts.integration === opts.mergeBase) {
    const commit = await commitTree(repo, `${opts.candidate}^{tree}`, [opts.integration], opts.message);
    return { clean: true, commit, conflicts: [], messages: '' };
  }
  // git 2.39 has no --merge-base for --write-tree: give both sides the exact base as their
  // only parent, so that git's computed merge base is `mergeBase` whatever the real history.
  const [ours, theirs] = await Promise.all([
    commitTree(repo, `${opts.integration}^{tree}`, [opts.mergeBase], 'codecrew merge: ours'),
    commitTree(repo, `${opts.candidate}^{tree}`, [opts.mergeBase], 'codecrew merge: theirs'),
  ]);
  const res = await repo.run(['merge-tree', '--write-tree', '-z', '--messages', ours, theirs], { allowExitCodes: [1] });
  const parsed = parseMergeTreeOutput(res.stdout);
  const messages = parsed.messages.map((m) => m.text).join('\n');
  if (res.code === 0) {
    const commit = await commitTree(repo, parsed.tree, [opts.integration], opts.message);
    return { clean: true, commit, conflicts: [], messages };
  }
  const kinds = new Map<string, string>();
  for (const message of parsed.messages) {
    if (!message.type.startsWith('CONFLICT')) continue;
    for (const path of message.paths) if (!kinds.has(path)) kinds.set(path, kindOf(message.type));
  }
  const paths = parsed.conflictedPaths.length > 0 ? parsed.conflictedPaths : [...kinds.keys()];
  const conflicts = paths.map((path) => ({ path, kind: kinds.get(path) ?? 'unknown' }));
  const conflictFiles: Record<string, string> = {};
  for (const { path } of conflicts) {
    const blob = await repo.runBuffer(['cat-file', 'blob', `${parsed.tree}:${path}`], { allowExitCodes: [128] });
    if (blob.code !== 0 || blob.stdout.includes(0)) continue;
    conflictFiles[path] = blob.stdout.toString('utf8');
  }
  return { clean: false, conflicts, conflictFiles, conflictTree: parsed.tree, messages };
}

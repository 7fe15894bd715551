import { readFilesAt, type GitRepo } from '../git/index.ts';
import {
  AGENTS_MD_BUDGET_BYTES,
  AGENTS_MD_NAMES,
  agentsMdDirsOf,
  collectAgentsMd,
  type AgentsMdResult,
} from './load.ts';

/**
 * Loads AGENTS.md instructions from the tree of `commit` (the snapshotted base),
 * so later edits in the user's working tree do not change what agents see:
 * the files from the root down to `cwd`, or down to each of several
 * directories (a subtask's), deeper files last. Every candidate file is read
 * by one git process.
 */
export async function loadAgentsMdFromCommit(
  repo: GitRepo,
  commit: string,
  cwd: string | readonly string[] = '.',
  budgetBytes = AGENTS_MD_BUDGET_BYTES,
): Promise<AgentsMdResult> {
  const sha = /^[0-9a-f]{40,64}$/.test(commit) ? commit : await repo.revParse(`${commit}^{commit}`);
  const candidates = agentsMdDirsOf(cwd).flatMap((dir) => AGENTS_MD_NAMES.map((name) => `${dir}${name}`));
  const contents = await readFilesAt(repo, sha, candidates);
  return collectAgentsMd(async (rel) => contents.get(rel)?.toString('utf8'), cwd, budgetBytes);
}

/** Whether `path` names an AGENTS.md file (of any directory). */
export function isAgentsMdPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (AGENTS_MD_NAMES as readonly string[]).includes(name);
}

/**
 * The AGENTS.md instructions for `cwd` out of `contents`, every AGENTS.md file of a tree by path
 * (read once for all the directories asked about), as {@link loadAgentsMdFromCommit} gives them.
 */
export function agentsMdFromFiles(
  contents: ReadonlyMap<string, Buffer>,
  cwd: string | readonly string[] = '.',
  budgetBytes = AGENTS_MD_BUDGET_BYTES,
): Promise<AgentsMdResult> {
  return collectAgentsMd(async (rel) => contents.get(rel)?.toString('utf8'), cwd, budgetBytes);
}

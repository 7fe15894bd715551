import { AGENTS_MD_BUDGET_BYTES, AGENTS_MD_NAMES, collectAgentsMd, type AgentsMdResult } from './load.ts';

/** Whether `path` names an AGENTS.md file (of any directory). */
export function isAgentsMdPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (AGENTS_MD_NAMES as readonly string[]).includes(name);
}

/**
 * The AGENTS.md instructions for `cwd` (a directory, or each of several) out of `contents`, every
 * AGENTS.md file of a commit's tree by path: the files from the root down to each directory, deeper
 * files last. Reading them from the commit, not the working tree, means later edits there do not
 * change what agents see.
 */
export function agentsMdFromFiles(
  contents: ReadonlyMap<string, Buffer>,
  cwd: string | readonly string[] = '.',
  budgetBytes = AGENTS_MD_BUDGET_BYTES,
): Promise<AgentsMdResult> {
  return collectAgentsMd(async (rel) => contents.get(rel)?.toString('utf8'), cwd, budgetBytes);
}

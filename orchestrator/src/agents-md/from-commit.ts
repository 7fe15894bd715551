import type { GitRepo } from '../git/index.ts';
import { AGENTS_MD_BUDGET_BYTES, collectAgentsMd, type AgentsMdResult } from './load.ts';

/**
 * Loads AGENTS.md instructions from the tree of `commit` (the snapshotted base),
 * so later edits in the user's working tree do not change what agents see.
 */
export async function loadAgentsMdFromCommit(
  repo: GitRepo,
  commit: string,
  cwd = '.',
  budgetBytes = AGENTS_MD_BUDGET_BYTES,
  /** Every file of the commit, when known: paths not among them are not looked up. */
  files?: ReadonlySet<string>,
): Promise<AgentsMdResult> {
  const sha = /^[0-9a-f]{40,64}$/.test(commit) ? commit : await repo.revParse(`${commit}^{commit}`);
  return collectAgentsMd(
    async (rel) => {
      if (files !== undefined && !files.has(rel)) return undefined;
      const res = await repo.run(['cat-file', 'blob', `${sha}:${rel}`], { allowExitCodes: [128] });
      return res.code === 0 ? res.stdout : undefined;
    },
    cwd,
    budgetBytes,
  );
}

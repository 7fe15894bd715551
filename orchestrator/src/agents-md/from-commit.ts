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
): Promise<AgentsMdResult> {
  const sha = await repo.revParse(`${commit}^{commit}`);
  return collectAgentsMd(
    async (rel) => {
      const res = await repo.run(['cat-file', 'blob', `${sha}:${rel}`], { allowExitCodes: [128] });
      return res.code === 0 ? res.stdout : undefined;
    },
    cwd,
    budgetBytes,
  );
}

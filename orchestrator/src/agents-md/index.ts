export { loadAgentsMd, collectAgentsMd, agentsMdDirs, agentsMdDirsOf, AGENTS_MD_BUDGET_BYTES } from './load.ts';
export type { AgentsMdReader, AgentsMdResult } from './load.ts';
export { agentsMdFromFiles, isAgentsMdPath } from './from-commit.ts';
export { globDirs } from './glob-dirs.ts';

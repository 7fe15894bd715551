import type { Subtask } from '@codecrew/core';
import { globDirs } from '../agents-md/index.ts';
import { repoMap } from '../task/repo-map.ts';
import type { GraphDeps } from './deps.ts';
import type { JobRepoContext } from './jobs.ts';
import { agentsMdAt, treeFiles } from './trees.ts';

/** A coder's repository context, and the AGENTS.md files it came from. */
export interface CoderRepoContext extends JobRepoContext {
  agentsMd: string;
  agentsMdFiles: string[];
}

/**
 * What a coder's prompt is told about the tree it starts from (`commit`): the
 * AGENTS.md files from the root down to each directory its subtask's file
 * globs point into (deeper files last, within the 32 KiB budget), a map of
 * the tree's files, and the test command.
 */
export async function coderRepoContext(
  deps: Pick<GraphDeps, 'cache'>,
  scratchDir: string,
  commit: string,
  subtask: Subtask,
  testCommand: string | null,
): Promise<CoderRepoContext> {
  const files = await treeFiles(deps, scratchDir, commit);
  const agents = await agentsMdAt(deps, scratchDir, commit, globDirs(subtask.files, files));
  return { agentsMd: agents.text, agentsMdFiles: agents.files, repoMap: repoMap(files), testCommand };
}

/** Tells the trace which AGENTS.md files a subtask's coders get, when any lies below the root. */
export function logAgentsMd(deps: Pick<GraphDeps, 'emit'>, subtaskId: string, context: CoderRepoContext): void {
  if (!context.agentsMdFiles.some((file) => file.includes('/'))) return;
  deps.emit('log', `${subtaskId}: AGENTS.md from ${context.agentsMdFiles.join(', ')}`, {
    subtaskId,
    agentsMd: context.agentsMdFiles,
  });
}

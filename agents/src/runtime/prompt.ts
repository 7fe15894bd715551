import type { Job } from '@codecrew/core';

/** The environment notes every agent gets. */
const ENVIRONMENT = `You work inside a sandbox: the repository is at the workspace root, there is no network access, and commands run as an unprivileged user. Paths you pass to tools are relative to the repository root. Tools installed: bash, git, node, npm, python3, ripgrep, patch.`;

/**
 * Composes a system prompt: the role's instructions, the environment, and the
 * repository's AGENTS.md (instructions from the project itself).
 */
export function systemPrompt(roleInstructions: string, job: Job): string {
  const parts = [roleInstructions.trim(), ENVIRONMENT];
  if (job.agentsMd.trim() !== '') {
    parts.push(
      `The repository's AGENTS.md files follow. Obey them; deeper files take precedence over shallower ones.\n\n${job.agentsMd.trim()}`,
    );
  }
  return parts.join('\n\n');
}

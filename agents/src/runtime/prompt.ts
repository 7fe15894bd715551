import type { Job } from '@codecrew/core';
import { promptTemplate, renderPrompt } from '../prompts/load.ts';

/** The roles that talk to a model, each with its prompt file in `src/prompts`. */
export type PromptRole = 'planner' | 'coder' | 'reviewer' | 'asker';

/** A duration for people: "5 minutes", "90 seconds". */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}

/** What the job says about the repository: its test command and a map of its files, when the orchestrator sent them. */
function repositorySection(job: Job): string {
  const parts: string[] = [];
  if (job.testCommand !== undefined) {
    parts.push(
      `The repository's test command is \`${job.testCommand}\`: the crew runs it on the merged change. Run it, or a narrower form of it (one test file), with the shell tool.`,
    );
  } else if (job.repoMap !== undefined) {
    parts.push(
      'No test command is known for this repository; look for one in its README, package.json, Makefile or CI files before you rely on tests.',
    );
  }
  if (job.repoMap !== undefined) {
    parts.push(
      `The repository's files (deeper directories summarised as "name/ (N files)"; use list_files for more):\n\`\`\`\n${job.repoMap}\n\`\`\``,
    );
  }
  return parts.length === 0 ? '' : `# This repository\n\n${parts.join('\n\n')}`;
}

/**
 * Composes a role's system prompt: the role's prompt file with the job's
 * step budget, the environment every role shares, what the job says about
 * the repository (test command, file map) and its AGENTS.md files.
 */
export function systemPrompt(role: PromptRole, job: Job): string {
  const values = { maxSteps: job.maxSteps, commandTimeout: duration(job.sandbox.commandTimeoutMs) };
  const parts = [
    renderPrompt(promptTemplate(role), values).trim(),
    renderPrompt(promptTemplate('environment'), values).trim(),
    repositorySection(job),
  ];
  if (job.agentsMd.trim() !== '') {
    parts.push(
      `# AGENTS.md\n\nThe repository's AGENTS.md files follow, from the root down. Obey them; where they disagree, the deeper (later) file wins.\n\n${job.agentsMd.trim()}`,
    );
  }
  return parts.filter((part) => part !== '').join('\n\n');
}

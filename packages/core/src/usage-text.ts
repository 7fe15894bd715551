import type { Usage } from './job.ts';

/**
 * A usage record's tokens for people: `4000 in (3000 cached) / 200 out (150 reasoning)`,
 * each part in parentheses only when it is not zero.
 */
export function formatTokens(usage: Usage): string {
  const cached = usage.cachedPromptTokens > 0 ? ` (${usage.cachedPromptTokens} cached)` : '';
  const reasoning = usage.reasoningTokens > 0 ? ` (${usage.reasoningTokens} reasoning)` : '';
  return `${usage.promptTokens} in${cached} / ${usage.completionTokens} out${reasoning}`;
}

/**
 * A usage record's total tokens for people: `4200 tokens (3000 cached, 150 reasoning)`,
 * with cached prompt tokens and reasoning tokens named only when there are some.
 */
export function formatTokenTotal(usage: Usage): string {
  const parts: string[] = [];
  if (usage.cachedPromptTokens > 0) parts.push(`${usage.cachedPromptTokens} cached`);
  if (usage.reasoningTokens > 0) parts.push(`${usage.reasoningTokens} reasoning`);
  const total = usage.promptTokens + usage.completionTokens;
  return `${total} tokens${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

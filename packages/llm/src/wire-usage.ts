import type { WireUsage } from './protocol.ts';
import type { ModelScript, ScriptReply } from './script.ts';

/**
 * The `usage` of a scripted answer: the reply's counts, else the script's.
 * Cached and reasoning tokens, when given, are sent where OpenAI sends them
 * (`prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`);
 * like OpenAI's, they are part of the prompt and completion counts. A prompt
 * count of `counted` sends `countedPrompt`, the server's count of the request.
 */
export function wireUsage(reply: ScriptReply, defaults: ModelScript['usage'], countedPrompt = 0): WireUsage {
  const given = reply.usage?.prompt_tokens ?? defaults.prompt_tokens;
  const prompt = given === 'counted' ? countedPrompt : given;
  const completion = reply.usage?.completion_tokens ?? defaults.completion_tokens;
  const usage: WireUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const cached = reply.usage?.cached_tokens ?? defaults.cached_tokens;
  const reasoning = reply.usage?.reasoning_tokens ?? defaults.reasoning_tokens;
  if (cached !== undefined) usage.prompt_tokens_details = { cached_tokens: cached };
  if (reasoning !== undefined) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

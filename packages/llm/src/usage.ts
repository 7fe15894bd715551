import type { ModelPrice, Usage } from '@codecrew/core';
import type { AIMessage, AIMessageChunk } from '@langchain/core/messages';

export type { ModelPrice } from '@codecrew/core';

/**
 * The cost in USD of some tokens: cached prompt tokens at `cachedInputPerMillion`
 * (the input price when the model has none), the other prompt tokens at
 * `inputPerMillion`, completion tokens (reasoning included) at `outputPerMillion`.
 */
export function costOf(
  tokens: { promptTokens: number; cachedPromptTokens: number; completionTokens: number },
  price: ModelPrice,
): number {
  const cached = Math.min(tokens.cachedPromptTokens, tokens.promptTokens);
  const uncached = tokens.promptTokens - cached;
  const cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion;
  return (
    (uncached * price.inputPerMillion + cached * cachedPrice + tokens.completionTokens * price.outputPerMillion) /
    1_000_000
  );
}

/**
 * The usage of one model call, read from the message's `usage_metadata`: the
 * prompt tokens with the part served from the provider's cache
 * (`input_token_details.cache_read`), the completion tokens with the part spent
 * reasoning (`output_token_details.reasoning`). Cost is 0 when no price is known.
 */
export function usageOf(message: AIMessage | AIMessageChunk, price?: ModelPrice): Usage {
  const metadata = message.usage_metadata;
  const promptTokens = metadata?.input_tokens ?? 0;
  const completionTokens = metadata?.output_tokens ?? 0;
  const cachedPromptTokens = Math.min(metadata?.input_token_details?.cache_read ?? 0, promptTokens);
  const reasoningTokens = Math.min(metadata?.output_token_details?.reasoning ?? 0, completionTokens);
  const tokens = { promptTokens, cachedPromptTokens, completionTokens };
  const costUsd = price === undefined ? 0 : costOf(tokens, price);
  return { calls: 1, ...tokens, reasoningTokens, costUsd };
}

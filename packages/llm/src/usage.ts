import type { Usage } from '@codecrew/core';
import type { AIMessage, AIMessageChunk } from '@langchain/core/messages';

/** Price of a model per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * The usage of one model call, read from the message's `usage_metadata`;
 * cost is 0 when no price is known.
 */
export function usageOf(message: AIMessage | AIMessageChunk, price?: ModelPrice): Usage {
  const promptTokens = message.usage_metadata?.input_tokens ?? 0;
  const completionTokens = message.usage_metadata?.output_tokens ?? 0;
  const costUsd =
    price === undefined
      ? 0
      : (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
  return { calls: 1, promptTokens, completionTokens, costUsd };
}

/**
 * How a conversation's tokens are shared out within a model's context window.
 * Every figure is in tokens, as `ChatTokenCounter` counts them.
 */
export interface ContextBudget {
  /** The model's context window: prompt and reply together. */
  window: number;
  /** Kept free for the reply: the model's output limit when set, else an eighth of the window (at most 8192). */
  reserve: number;
  /** The largest prompt that leaves the reply its reserve: `window - reserve`. */
  limit: number;
  /** A prompt past this (80% of the limit) is made smaller before it is sent. */
  high: number;
  /** Where a reduction aims (50% of the limit), so the conversation can then grow for many steps unchanged. */
  low: number;
  /** The most one tool result may take: 10% of the limit, at most 10,000. */
  toolResult: number;
  /** The most the steps kept verbatim (the latest ones) may take when older ones are elided or compacted: 25% of the limit. */
  recent: number;
  /** The most a compaction's summary may take: 10% of the limit, at most 4,000. */
  summary: number;
}

/** The largest reply reserve assumed when the model's output limit is not configured. */
const DEFAULT_MAX_RESERVE = 8192;

/**
 * The budget of a conversation with a model of `window` tokens whose replies
 * are limited to `maxOutputTokens` (when configured).
 *
 * @example
 * contextBudget(16_000); // { window: 16000, reserve: 2000, limit: 14000, high: 11200, low: 7000, toolResult: 1400, ... }
 */
export function contextBudget(window: number, maxOutputTokens?: number): ContextBudget {
  const reserve = Math.min(
    maxOutputTokens ?? Math.min(DEFAULT_MAX_RESERVE, Math.floor(window / 8)),
    Math.floor(window / 4),
  );
  const limit = window - reserve;
  return {
    window,
    reserve,
    limit,
    high: Math.floor(limit * 0.8),
    low: Math.floor(limit * 0.5),
    toolResult: Math.min(10_000, Math.floor(limit * 0.1)),
    recent: Math.floor(limit * 0.25),
    summary: Math.min(4000, Math.floor(limit * 0.1)),
  };
}

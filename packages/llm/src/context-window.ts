/** The context window assumed for a model codecrew knows nothing about: small enough for most local models. */
export const DEFAULT_CONTEXT_WINDOW = 32_768;

/**
 * Context windows (prompt and reply together, in tokens) of OpenAI's models,
 * as OpenAI documents them. A dated snapshot (`gpt-4o-2024-08-06`,
 * `gpt-4-0613`) or a variant (`gpt-4o-search-preview`) takes the window of
 * the longest name here it starts with.
 */
export const KNOWN_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-5-codex': 400_000,
  'gpt-5-pro': 400_000,
  'gpt-5-chat-latest': 128_000,
  'gpt-5.1': 400_000,
  'gpt-5.1-chat-latest': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4.5-preview': 128_000,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  'chatgpt-4o-latest': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-4-1106-preview': 128_000,
  'gpt-4-0125-preview': 128_000,
  'gpt-4': 8_192,
  'gpt-4-32k': 32_768,
  'gpt-3.5-turbo': 16_385,
  o1: 200_000,
  'o1-pro': 200_000,
  'o1-mini': 128_000,
  'o1-preview': 128_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o3-pro': 200_000,
  'o4-mini': 200_000,
  'codex-mini-latest': 200_000,
  'gpt-oss-120b': 131_072,
  'gpt-oss-20b': 131_072,
};

/** `name`, or the longest known name it extends (`gpt-4o-2024-08-06` → `gpt-4o`), lower case, without an `openai/` prefix. */
function knownName(model: string): string | undefined {
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^openai\//, '');
  if (KNOWN_CONTEXT_WINDOWS[name] !== undefined) return name;
  let best: string | undefined;
  for (const known of Object.keys(KNOWN_CONTEXT_WINDOWS)) {
    if (!name.startsWith(`${known}-`) && !name.startsWith(`${known}:`)) continue;
    if (best === undefined || known.length > best.length) best = known;
  }
  return best;
}

/**
 * The context window of a model: `configured` when given (the catalog's
 * `contextWindow`), else OpenAI's documented window for the model or its
 * family, else {@link DEFAULT_CONTEXT_WINDOW}.
 *
 * @example
 * contextWindowOf('gpt-4o-2024-08-06'); // 128000
 * contextWindowOf('qwen2.5-coder:7b');  // 32768
 */
export function contextWindowOf(model: string, configured?: number): number {
  if (configured !== undefined) return configured;
  const name = knownName(model);
  return name === undefined ? DEFAULT_CONTEXT_WINDOW : (KNOWN_CONTEXT_WINDOWS[name] ?? DEFAULT_CONTEXT_WINDOW);
}

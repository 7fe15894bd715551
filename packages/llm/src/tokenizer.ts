import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

/** The two encodings codecrew counts with: OpenAI's current one, and the one before it as an estimate for others. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Model families that OpenAI serves with o200k_base (dated snapshots and `openai/` prefixes included). */
const O200K_FAMILIES = /^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex)(?:$|[-.:_])/;

/**
 * The encoding a model's prompts are counted with: o200k_base for OpenAI's
 * current models (gpt-4o, gpt-4.1, gpt-5, o-series), cl100k_base for every
 * other model, where it serves as an estimate.
 */
export function encodingForModel(model: string): EncodingName {
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^openai\//, '');
  return O200K_FAMILIES.test(name) ? 'o200k_base' : 'cl100k_base';
}

const require = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Tiktoken>();

/** The encoder, built on first use (reading the ranks takes about a second, so it happens only when counting starts). */
function encoder(name: EncodingName): Tiktoken {
  let found = encoders.get(name);
  if (found === undefined) {
    const ranks = require(`js-tiktoken/ranks/${name}`) as { default?: TiktokenBPE } & TiktokenBPE;
    found = new Tiktoken(ranks.default ?? ranks);
    encoders.set(name, found);
  }
  return found;
}

/**
 * Runs of one kind of character longer than this are encoded in pieces of
 * {@link RUN_PIECE} characters: byte-pair encoding takes quadratic time on
 * one long piece (ten thousand letters take seconds), and such runs (base64,
 * minified code, rulers) are rare enough in prompts that the difference in
 * count is negligible. Equal pieces are encoded once.
 */
const LONG_RUN = /\S{257,}|\s{257,}/g;
const RUN_PIECE = 64;

function encodeLength(enc: Tiktoken, text: string): number {
  // Special-token text such as <|endoftext|> in a file is ordinary text to count, not an error.
  return text === '' ? 0 : enc.encode(text, [], []).length;
}

function countUncached(enc: Tiktoken, text: string): number {
  let total = 0;
  let from = 0;
  const pieces = new Map<string, number>();
  for (const run of text.matchAll(LONG_RUN)) {
    total += encodeLength(enc, text.slice(from, run.index));
    for (let at = 0; at < run[0].length; at += RUN_PIECE) {
      const piece = run[0].slice(at, at + RUN_PIECE);
      let count = pieces.get(piece);
      if (count === undefined) {
        count = encodeLength(enc, piece);
        pieces.set(piece, count);
      }
      total += count;
    }
    from = run.index + run[0].length;
  }
  return total + encodeLength(enc, text.slice(from));
}

/** Texts at least this long are remembered with their count: a conversation sends the same messages again every step. */
const CACHED_MIN_CHARS = 64;
const CACHE_ENTRIES = 4096;
const caches = new Map<EncodingName, Map<string, number>>();

/**
 * The number of tokens of `text` in `encoding`. Long texts' counts are kept
 * (least recently used dropped first), so counting a growing conversation
 * again each step costs only its new messages.
 */
export function countTokens(text: string, encoding: EncodingName): number {
  if (text.length < CACHED_MIN_CHARS) return countUncached(encoder(encoding), text);
  let cache = caches.get(encoding);
  if (cache === undefined) {
    cache = new Map();
    caches.set(encoding, cache);
  }
  const known = cache.get(text);
  if (known !== undefined) {
    cache.delete(text);
    cache.set(text, known);
    return known;
  }
  const count = countUncached(encoder(encoding), text);
  cache.set(text, count);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return count;
}

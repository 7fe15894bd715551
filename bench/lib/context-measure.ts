import { promptTokens, type WireMessage } from '@codecrew/llm';

/** One step request as the scripted server received it. */
export interface SentRequest {
  model: string;
  messages: WireMessage[];
  tools: unknown[] | undefined;
}

/** What the requests of one run show about their prefixes. */
export interface PrefixFigures {
  /** Step requests that start with the whole of the request before them. */
  extending: number;
  /** Step requests that do not: the first after an elision or compaction. */
  reduced: number;
  /** Of each extending request, the share of its tokens that the request before it already sent, as the same prefix. */
  shareMedian: number;
  shareMin: number;
  shareMean: number;
  /** Over all step requests: tokens that repeat the previous request's prefix, out of all tokens sent. */
  cacheableShare: number;
}

function sameMessage(a: WireMessage | undefined, b: WireMessage | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** How many leading messages two requests share. */
export function commonPrefix(previous: readonly WireMessage[], next: readonly WireMessage[]): number {
  let shared = 0;
  while (shared < previous.length && sameMessage(previous[shared], next[shared])) shared += 1;
  return shared;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The prefix figures of consecutive step requests: a request extends the one
 * before it when it starts with all of that request's messages (then a
 * prompt cache can serve all of them); its share is the tokens of that
 * common prefix (with the tools) over its own tokens.
 */
export function prefixFigures(requests: readonly SentRequest[]): PrefixFigures {
  const shares: number[] = [];
  let reduced = 0;
  let repeated = 0;
  let sent = 0;
  for (const [index, request] of requests.entries()) {
    const tokens = promptTokens(request);
    sent += tokens;
    const previous = requests[index - 1];
    if (previous === undefined) continue;
    const shared = commonPrefix(previous.messages, request.messages);
    const prefix = promptTokens({ ...request, messages: request.messages.slice(0, shared) });
    repeated += prefix;
    if (shared === previous.messages.length) shares.push(prefix / tokens);
    else reduced += 1;
  }
  return {
    extending: shares.length,
    reduced,
    shareMedian: median(shares),
    shareMin: shares.length === 0 ? 0 : Math.min(...shares),
    shareMean: shares.length === 0 ? 0 : shares.reduce((sum, share) => sum + share, 0) / shares.length,
    cacheableShare: sent === 0 ? 0 : repeated / sent,
  };
}

const UNIT_MS = { ms: 1, s: 1000, m: 60 * 1000 };

/**
 * Parses a duration such as "90s", "1m30s" or "250ms" into milliseconds.
 * Throws a RangeError on text that is not a duration.
 */
export function parseDuration(text) {
  const trimmed = text.trim();
  const pattern = /(\d+)(ms|s|m)/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed += match[0].length;
  }
  if (trimmed === '' || consumed !== trimmed.length) {
    throw new RangeError(`not a duration: "${text}"`);
  }
  return total;
}

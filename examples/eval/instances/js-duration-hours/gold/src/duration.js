const UNIT_MS = { ms: 1, s: 1000, m: 60 * 1000, h: 60 * 60 * 1000, d: 24 * 60 * 60 * 1000 };

/**
 * Parses a duration such as "90s", "1h30m" or "250ms" into milliseconds.
 * Units: d, h, m, s, ms. Throws a RangeError on text that is not a duration.
 */
export function parseDuration(text) {
  const trimmed = text.trim();
  const pattern = /(\d+)(ms|s|m|h|d)/g;
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

/** Test counts read from a test runner's output; `recognised` is false when no known summary was found. */
export interface ParsedCounts {
  framework: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Tests run, when the runner says (Go without -v does not). */
  total: number | null;
  recognised: boolean;
}

/** What one framework's detector found: its counts summed over every summary in the output. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  total: number | null;
}

/** Reads one framework's summaries from cleaned output lines (trimmed, no ANSI codes); null when it has none. */
export type Detector = (lines: string[]) => Counts | null;

/** Adds counts; a total is known only when every part knows it. */
export function addCounts(a: Counts, b: Counts): Counts {
  return {
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    total: a.total === null || b.total === null ? null : a.total + b.total,
  };
}

export const ZERO: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };

/** Counts with the total that their parts make. */
export function counted(passed: number, failed: number, skipped: number): Counts {
  return { passed, failed, skipped, total: passed + failed + skipped };
}

/**
 * The shape most detectors share: each line that is a summary gives its
 * counts (`read` returns null for other lines), and the summaries add up.
 */
export function sumLines(lines: string[], read: (line: string) => Counts | null): Counts | null {
  let sum: Counts | null = null;
  for (const line of lines) {
    const counts = read(line);
    if (counts !== null) sum = addCounts(sum ?? ZERO, counts);
  }
  return sum;
}

/** Parses "3 passed", "1 failed" ... items into a map of word to number; null when an item is not of that form. */
export function countItems(items: string[]): Map<string, number> | null {
  const map = new Map<string, number>();
  for (const item of items) {
    const match = /^(\d+) ([a-z ]+)$/.exec(item.trim());
    if (match === null) return null;
    const key = match[2] ?? '';
    map.set(key, (map.get(key) ?? 0) + Number(match[1]));
  }
  return map;
}

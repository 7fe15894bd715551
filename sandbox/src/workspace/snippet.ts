import { MAX_LINE_CHARS } from './read.ts';

/** Lines of unchanged context shown around a change. */
export const SNIPPET_CONTEXT = 4;
/** A snippet longer than this shows its head and tail with a note between. */
export const MAX_SNIPPET_LINES = 60;

/** What a write or an edit did to a file, for the model to check. */
export interface FileChange {
  path: string;
  /** The file did not exist before. */
  created: boolean;
  /** The content is what it was: nothing changed. */
  unchanged: boolean;
  /** Lines of the new content. */
  totalLines: number;
  /** One-line account of the change ("lines 3-5 changed", "2 lines removed after line 7"). */
  summary: string;
  /** The changed lines with {@link SNIPPET_CONTEXT} lines around them, numbered as `read_file` numbers them. */
  snippet: string;
}

/** The lines of a text, as `read_file` counts them: a final newline ends the last line rather than starting one. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, ''));
}

/** One numbered line, as `read_file` shows it. */
export function numbered(lineNumber: number, line: string): string {
  const shown = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)} [... line cut]` : line;
  return `${String(lineNumber).padStart(5)}\t${shown}`;
}

/**
 * Numbered lines `first`..`last` (1-based, inclusive) of `lines`; a long range
 * keeps its head and tail and says which lines it left out.
 */
export function numberedRange(lines: readonly string[], first: number, last: number): string {
  const out: string[] = [];
  const count = last - first + 1;
  const head = count > MAX_SNIPPET_LINES ? Math.floor(MAX_SNIPPET_LINES * 0.7) : count;
  const tailFrom = count > MAX_SNIPPET_LINES ? last - (MAX_SNIPPET_LINES - head) + 1 : last + 1;
  for (let n = first; n < first + head; n++) out.push(numbered(n, lines[n - 1] ?? ''));
  if (tailFrom <= last) {
    out.push(
      `  ... (lines ${first + head}-${tailFrom - 1} not shown; read_file with offset=${first + head} shows them)`,
    );
    for (let n = tailFrom; n <= last; n++) out.push(numbered(n, lines[n - 1] ?? ''));
  }
  return out.join('\n');
}

/**
 * Describes how `after` differs from `before` (null: a new file): the lines
 * between the common head and the common tail are the change, shown with
 * {@link SNIPPET_CONTEXT} lines of context on each side.
 */
export function describeChange(path: string, before: string | null, after: string): FileChange {
  const newLines = splitLines(after);
  const total = newLines.length;
  const base = { path, created: before === null, totalLines: total };
  if (before === null) {
    const snippet = total === 0 ? '(empty file)' : numberedRange(newLines, 1, total);
    return { ...base, unchanged: false, summary: `${total} line(s)`, snippet };
  }
  if (before === after)
    return { ...base, unchanged: true, summary: 'no change: the new content is the same as the old', snippet: '' };
  const oldLines = splitLines(before);
  let head = 0;
  while (head < oldLines.length && head < newLines.length && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  while (
    tail < oldLines.length - head &&
    tail < newLines.length - head &&
    oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]
  ) {
    tail++;
  }
  // 1-based range of the changed lines in the new content; empty (last < first) when lines were only removed.
  const first = head + 1;
  const last = total - tail;
  const removed = oldLines.length - head - tail;
  let summary: string;
  if (last >= first) summary = first === last ? `line ${first} changed` : `lines ${first}-${last} changed`;
  else if (removed > 0) summary = `${removed} line(s) removed after line ${head}`;
  else summary = 'only line endings changed';
  const from = Math.max(1, first - SNIPPET_CONTEXT);
  const to = Math.min(total, Math.max(last, head) + SNIPPET_CONTEXT);
  const snippet = total === 0 ? '(the file is now empty)' : numberedRange(newLines, from, to);
  return { ...base, unchanged: false, summary, snippet };
}

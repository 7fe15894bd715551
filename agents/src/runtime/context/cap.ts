/** Counts the tokens of a text (the model's encoding). */
export type CountText = (text: string) => number;

/** A tool result after capping: the text to send and, when something was cut, what. */
export interface CappedOutput {
  text: string;
  /** Tokens of the result before it was cut, when counted (very long results are cut without counting them whole). */
  tokensBefore?: number;
  cut: boolean;
}

/** Tokens kept for the note that says what was cut. */
const NOTE_TOKENS = 120;
/** A text may count fewer tokens than this many characters per token only in rare cases; longer ones are cut without counting them whole. */
const MAX_CHARS_PER_TOKEN = 16;

/** The longest start of `text` within `budget` tokens, ending at a line break when one is in its second half. */
export function headWithin(text: string, budget: number, count: CountText): string {
  if (budget <= 0) return '';
  let head = text.slice(0, budget * 8);
  for (let tokens = count(head); tokens > budget; tokens = count(head)) {
    head = head.slice(0, Math.floor((head.length * budget * 0.95) / tokens));
  }
  if (head.length === text.length) return head;
  const lineEnd = head.lastIndexOf('\n');
  return lineEnd > head.length / 2 ? head.slice(0, lineEnd + 1) : head;
}

/** The longest end of `text` within `budget` tokens, starting after a line break when one is in its first half. */
export function tailWithin(text: string, budget: number, count: CountText): string {
  if (budget <= 0) return '';
  let tail = text.slice(-budget * 8);
  for (let tokens = count(tail); tokens > budget; tokens = count(tail)) {
    tail = tail.slice(tail.length - Math.floor((tail.length * budget * 0.95) / tokens));
  }
  if (tail.length === text.length) return tail;
  const lineStart = tail.indexOf('\n');
  return lineStart >= 0 && lineStart < tail.length / 2 ? tail.slice(lineStart + 1) : tail;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < text.length - 1; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}

/** The number of the first and last numbered line (`   12\tcode`, as read_file numbers them) in `text`. */
function numberedRange(text: string): { first: number; last: number } | undefined {
  const numbers = [...text.matchAll(/^ *(\d+)\t/gm)].map((match) => Number(match[1]));
  const first = numbers[0];
  const last = numbers.at(-1);
  return first === undefined || last === undefined ? undefined : { first, last };
}

function stringArg(args: unknown, name: string): string | undefined {
  const value = (args as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** What to do to see what was cut, for the tool that produced it. */
function howToReadCut(tool: string, args: unknown, cut: string, cutTokens: number, budget: number): string {
  if (tool === 'read_file') {
    const range = numberedRange(cut);
    if (range !== undefined) {
      const lines = range.last - range.first + 1;
      const perCall = Math.max(1, Math.floor((lines * budget) / Math.max(1, cutTokens)));
      const path = JSON.stringify(stringArg(args, 'path') ?? 'the file');
      return `lines ${range.first}-${range.last} were cut; read them with read_file path=${path} offset=${range.first} limit=${Math.min(lines, perCall)} (about that many lines fit at a time), or find what you need with search`;
    }
    return 'read the part you need with read_file offset and limit, or find it with search';
  }
  if (tool === 'search') return 'narrow the search with a more specific pattern, a path or a glob';
  if (tool === 'list_files') return 'list a subdirectory, or use a smaller depth';
  if (tool === 'shell') {
    return 'run the command again with less output (pipe it through head, tail or grep), or redirect it to a file and read that with read_file offset and limit, or search it';
  }
  return 'ask for less at a time';
}

/** Cuts the middle out of `text` so that it fits `budget` tokens, with a note in its place. */
function cutMiddle(text: string, tool: string, args: unknown, budget: number, count: CountText): string {
  const keep = Math.max(0, budget - NOTE_TOKENS);
  const head = headWithin(text, Math.ceil(keep / 2), count);
  const tail = tailWithin(text.slice(head.length), Math.floor(keep / 2), count);
  const cut = text.slice(head.length, text.length - tail.length);
  const cutTokens = cut.length <= budget * MAX_CHARS_PER_TOKEN ? count(cut) : Math.ceil(cut.length / 4);
  const lines = lineCount(cut);
  const what = lines > 1 ? `${lines} lines, ${cut.length} characters` : `${cut.length} characters`;
  const note = `[… ${what} (about ${cutTokens} tokens) cut here to fit the model's context: ${howToReadCut(tool, args, cut, cutTokens, budget)} …]`;
  return `${head}${head.endsWith('\n') || head === '' ? '' : '\n'}${note}\n${tail}`;
}

/** A shell result (`{exit_code, stdout, stderr, …}`) with its streams cut to fit, so it stays valid JSON. */
function capShellJson(text: string, budget: number, count: CountText): string | undefined {
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    payload = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { stdout, stderr } = payload;
  if (typeof stdout !== 'string' || typeof stderr !== 'string') return undefined;
  // JSON escapes (\n, \") cost tokens too: streams get a third less than what is left beside the other fields.
  const rest = count(JSON.stringify({ ...payload, stdout: '', stderr: '' }));
  const streams = Math.floor((budget - rest - NOTE_TOKENS) * 0.66);
  if (streams <= 0) return undefined;
  const stderrTokens = count(stderr);
  const stderrBudget = Math.min(stderrTokens, Math.floor(streams / 3));
  const stdoutBudget = streams - stderrBudget;
  const capped: Record<string, unknown> = {
    ...payload,
    stdout: count(stdout) <= stdoutBudget ? stdout : cutMiddle(stdout, 'shell', {}, stdoutBudget, count),
    stderr: stderrTokens <= stderrBudget ? stderr : cutMiddle(stderr, 'shell', {}, stderrBudget, count),
  };
  const json = JSON.stringify(capped);
  return count(json) <= budget ? json : undefined;
}

/**
 * Caps one tool result at `budget` tokens: a longer one keeps its head and
 * its tail, and a note in place of the middle says how much was cut and how
 * to read it (read_file with offset and limit for a file, a narrower search,
 * a command with less output). A shell result stays JSON: its stdout and
 * stderr are cut separately.
 */
export function capToolOutput(
  text: string,
  opts: { tool: string; args: unknown; budget: number; count: CountText },
): CappedOutput {
  const { budget, count } = opts;
  // A token is at least one byte: a text of at most `budget` bytes fits without counting.
  if (Buffer.byteLength(text) <= budget) return { text, cut: false };
  let tokensBefore: number | undefined;
  if (text.length <= budget * MAX_CHARS_PER_TOKEN) {
    tokensBefore = count(text);
    if (tokensBefore <= budget) return { text, tokensBefore, cut: false };
  }
  const shell = opts.tool === 'shell' ? capShellJson(text, budget, count) : undefined;
  const capped = shell ?? cutMiddle(text, opts.tool, opts.args, budget, count);
  return tokensBefore === undefined ? { text: capped, cut: true } : { text: capped, tokensBefore, cut: true };
}

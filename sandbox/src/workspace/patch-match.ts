import { newSide, oldSide, type ChunkLine, type PatchChunk } from './patch-parse.ts';
import { numberedRange, splitLines } from './snippet.ts';

/** Typographic characters models put where the code has ASCII ones. */
const LOOKALIKES: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u201a\u201b]/g, "'"],
  [/[\u201c\u201d\u201e\u201f]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/[\u00a0\u2002-\u200b\u3000]/g, ' '],
];

/** A line with runs of whitespace made one space, and trimmed. */
function collapsed(line: string): string {
  return line.replace(/\s+/g, ' ').trim();
}

/** A line with typographic look-alikes made ASCII and whitespace collapsed. */
function plain(line: string): string {
  let out = line;
  for (const [pattern, ascii] of LOOKALIKES) out = out.replace(pattern, ascii);
  return collapsed(out);
}

/** Ways two lines may be "the same", strictest first: a chunk is placed by the strictest that finds it. */
const TIERS: Array<(a: string, b: string) => boolean> = [
  (a, b) => a === b,
  (a, b) => a.trimEnd() === b.trimEnd(),
  (a, b) => a.trim() === b.trim(),
  (a, b) => collapsed(a) === collapsed(b),
  (a, b) => plain(a) === plain(b),
];

function matchesAt(
  lines: readonly string[],
  want: readonly string[],
  at: number,
  same: (a: string, b: string) => boolean,
): boolean {
  for (let j = 0; j < want.length; j++) if (!same(lines[at + j] ?? '', want[j] ?? '')) return false;
  return true;
}

/**
 * Where `want` occurs in `lines` at or after `from` (0-based), by the
 * strictest tier that finds it: at the end first when `endOfFile`, else the
 * occurrence nearest the hint (0-based), else the first. -1 when nowhere.
 */
export function seek(
  lines: readonly string[],
  want: readonly string[],
  from: number,
  opts: { endOfFile?: boolean; hint?: number } = {},
): number {
  if (want.length === 0) return from;
  const last = lines.length - want.length;
  for (const same of TIERS) {
    if (opts.endOfFile === true && last >= from && matchesAt(lines, want, last, same)) return last;
    let best = -1;
    for (let at = from; at <= last; at++) {
      if (!matchesAt(lines, want, at, same)) continue;
      if (opts.hint === undefined) return at;
      if (best === -1 || Math.abs(at - opts.hint) < Math.abs(best - opts.hint)) best = at;
    }
    if (best !== -1) return best;
  }
  return -1;
}

/** A chunk that could not be placed, and why. */
export interface ChunkReject {
  chunk: PatchChunk;
  reason: string;
  /** The line (1-based) after the chunk's anchors, where it was looked for; absent without anchors. */
  nearLine?: number;
}

/** The text after applying the chunks that could be placed, and those that could not. */
export interface ChunkResult {
  text: string;
  applied: number;
  rejects: ChunkReject[];
  /** Some chunk was placed only by dropping context lines that did not match. */
  fuzzy: boolean;
}

/** Drops blank context lines a chunk ends with: models add them as spacing after a hunk. */
function withoutTrailingBlanks(lines: ChunkLine[]): ChunkLine[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]?.kind === ' ' && lines[end - 1]?.text.trim() === '') end--;
  return lines.slice(0, end);
}

/** How many context lines a chunk has before its first change and after its last. */
function contextEdges(lines: readonly ChunkLine[]): { leading: number; trailing: number } {
  let leading = 0;
  while (leading < lines.length && lines[leading]?.kind === ' ') leading++;
  let trailing = 0;
  while (trailing < lines.length - leading && lines[lines.length - 1 - trailing]?.kind === ' ') trailing++;
  return { leading, trailing };
}

/**
 * Places a chunk's old side at or after `from`: as written, then without
 * trailing blank lines, then (fuzz, as `patch` does) with outer context lines
 * dropped down to one on each side. Returns where, and the lines placed.
 */
function place(
  fileLines: readonly string[],
  chunk: PatchChunk,
  from: number,
): { at: number; lines: ChunkLine[]; fuzzy: boolean } | null {
  const hint = chunk.hintLine === undefined ? undefined : Math.max(0, chunk.hintLine - 1);
  const opts = { endOfFile: chunk.endOfFile, ...(hint === undefined ? {} : { hint }) };
  const trimmed = withoutTrailingBlanks(chunk.lines);
  for (const lines of [chunk.lines, trimmed]) {
    const at = seek(fileLines, oldSide(lines), from, opts);
    if (at !== -1) return { at, lines, fuzzy: false };
  }
  const { leading, trailing } = contextEdges(trimmed);
  for (let cut = 1; leading - cut >= 1 || trailing - cut >= 1; cut++) {
    const front = Math.min(cut, Math.max(0, leading - 1));
    const back = Math.min(cut, Math.max(0, trailing - 1));
    const lines = trimmed.slice(front, trimmed.length - back);
    const at = seek(fileLines, oldSide(lines), from, hint === undefined ? {} : { hint: hint + front });
    if (at !== -1) return { at, lines, fuzzy: true };
  }
  return null;
}

/** The lines that replace a placed chunk: context lines as the file has them (whitespace and all), added lines as the patch has them. */
function replacement(fileLines: readonly string[], at: number, lines: readonly ChunkLine[]): string[] {
  const out: string[] = [];
  let index = at;
  for (const line of lines) {
    if (line.kind === ' ') out.push(fileLines[index++] ?? line.text);
    else if (line.kind === '-') index++;
    else out.push(line.text);
  }
  return out;
}

/**
 * Applies chunks to a file's text in order, each placed by its content after
 * the one before (anchors first). Chunks that cannot be placed are returned
 * as rejects; the others are applied. Line endings (CRLF or LF) and a missing
 * final newline are kept unless a chunk says otherwise.
 */
export function applyChunks(text: string, chunks: readonly PatchChunk[]): ChunkResult {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let endsWithNewline = text === '' || text.endsWith('\n');
  const lines = splitLines(text);
  const edits: Array<{ at: number; remove: number; insert: string[] }> = [];
  const rejects: ChunkReject[] = [];
  let fuzzy = false;
  let cursor = 0;
  for (const chunk of chunks) {
    let from = cursor;
    const missing = chunk.anchors.find((anchor) => {
      const at = seek(lines, [anchor], from);
      if (at === -1) return true;
      from = at + 1;
      return false;
    });
    if (missing !== undefined) {
      rejects.push({
        chunk,
        reason: `its @@ line "${missing}" is not in the file${from > 0 ? ` after line ${from}` : ''}`,
      });
      continue;
    }
    if (oldSide(chunk.lines).length === 0) {
      // Only additions: after the anchor, at the hinted line, or at the end of the file.
      const at =
        chunk.anchors.length > 0
          ? from
          : chunk.hintLine !== undefined
            ? Math.min(lines.length, chunk.hintLine)
            : lines.length;
      edits.push({ at, remove: 0, insert: newSide(chunk.lines) });
      cursor = at;
      continue;
    }
    const placed = place(lines, chunk, from);
    if (placed === null) {
      const near = chunk.anchors.length > 0 ? { nearLine: from + 1 } : {};
      rejects.push({ chunk, reason: 'its context and removed lines are not in the file as written', ...near });
      continue;
    }
    fuzzy ||= placed.fuzzy;
    const removed = oldSide(placed.lines).length;
    edits.push({ at: placed.at, remove: removed, insert: replacement(lines, placed.at, placed.lines) });
    cursor = placed.at + removed;
    if (cursor === lines.length && chunk.newNoEol === true) endsWithNewline = false;
  }
  const out = [...lines];
  for (const edit of [...edits].sort((a, b) => b.at - a.at)) out.splice(edit.at, edit.remove, ...edit.insert);
  const body = out.join(eol);
  return {
    text: out.length === 0 ? '' : endsWithNewline ? `${body}${eol}` : body,
    applied: edits.length,
    rejects,
    fuzzy,
  };
}

/**
 * The file's actual lines where `want` (a chunk's old lines) was meant to go:
 * the window that shares the most lines with it (whitespace ignored), the one
 * nearest `hintLine` on a tie, with two lines around; around `hintLine` when
 * no line matches; null when there is nothing to show.
 */
export function actualLinesAt(text: string, want: readonly string[], hintLine?: number): string | null {
  const lines = splitLines(text);
  if (lines.length === 0) return null;
  const hint = hintLine === undefined ? undefined : Math.max(0, hintLine - 1);
  const size = Math.max(1, want.length);
  const wanted = want.map((line) => plain(line));
  const have = lines.map((line) => plain(line));
  let best = -1;
  let bestScore = 0;
  for (let at = 0; at <= Math.max(0, lines.length - size); at++) {
    let score = 0;
    for (let j = 0; j < wanted.length; j++) if ((wanted[j] ?? '') !== '' && have[at + j] === wanted[j]) score++;
    const closer = hint !== undefined && best !== -1 && Math.abs(at - hint) < Math.abs(best - hint);
    if (score > bestScore || (score === bestScore && score > 0 && closer)) {
      best = at;
      bestScore = score;
    }
  }
  if (best === -1) {
    if (hint === undefined) return null;
    best = Math.min(hint, Math.max(0, lines.length - size));
  }
  const first = Math.max(1, best + 1 - 2);
  const last = Math.min(lines.length, best + size + 2);
  return `The file's actual lines ${first}-${last}:\n${numberedRange(lines, first, last)}`;
}

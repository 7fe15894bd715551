/** Default number of lines `readFile` returns. */
export const DEFAULT_READ_LIMIT = 2000;
/** Longer lines are cut so one minified line cannot flood a model's context. */
export const MAX_LINE_CHARS = 2000;
/** Files bigger than this are refused; read them in pieces with a shell command. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;

/** True when the bytes look binary (a NUL byte in the first 8 KiB, as git decides). */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/**
 * Formats text as numbered lines (`   12\tcode`), from 1-based `offset`, at most
 * `limit` lines, with a closing note when lines were left out or cut.
 */
export function numberLines(text: string, path: string, offset = 1, limit = DEFAULT_READ_LIMIT): string {
  if (text.length === 0) return `(${path} is empty)`;
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const total = lines.length;
  const start = Math.max(1, Math.floor(offset));
  if (start > total) return `(${path} has ${total} lines; offset ${start} is past the end)`;
  const end = Math.min(total, start + Math.max(1, Math.floor(limit)) - 1);
  let cutLines = 0;
  const out = lines.slice(start - 1, end).map((line, i) => {
    let shown = line.replace(/\r$/, '');
    if (shown.length > MAX_LINE_CHARS) {
      shown = `${shown.slice(0, MAX_LINE_CHARS)} [... line cut at ${MAX_LINE_CHARS} characters]`;
      cutLines++;
    }
    return `${String(start + i).padStart(5)}\t${shown}`;
  });
  const notes: string[] = [];
  if (start > 1 || end < total) {
    notes.push(`showing lines ${start}-${end} of ${total}${end < total ? `; read on with offset=${end + 1}` : ''}`);
  }
  if (cutLines > 0) notes.push(`${cutLines} long line(s) cut`);
  return notes.length > 0 ? `${out.join('\n')}\n(${notes.join('; ')})` : out.join('\n');
}

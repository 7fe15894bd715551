import { CodecrewError } from '@codecrew/core';

/** One line of a chunk: context (` `), removed (`-`) or added (`+`). */
export interface ChunkLine {
  kind: ' ' | '-' | '+';
  text: string;
}

/** The lines a chunk expects in the file: its context and removed lines, in order. */
export const oldSide = (lines: readonly ChunkLine[]): string[] =>
  lines.filter((l) => l.kind !== '+').map((l) => l.text);
/** The lines a chunk leaves in the file: its context and added lines, in order. */
export const newSide = (lines: readonly ChunkLine[]): string[] =>
  lines.filter((l) => l.kind !== '-').map((l) => l.text);

/**
 * One change inside a file: context, removed and added lines. It is placed
 * by its content (context and removed lines), never by a line number alone.
 */
export interface PatchChunk {
  /** `@@ text` lines to find first, in order (a class, then a method); the change comes after the last one. */
  anchors: string[];
  lines: ChunkLine[];
  /** `*** End of File`: the old lines end the file. */
  endOfFile: boolean;
  /** The old start line a unified hunk header gave (1-based); a hint where to look first. */
  hintLine?: number;
  /** A `\ No newline at end of file` marker followed the new side's last line. */
  newNoEol?: boolean;
  /** Its number in its file (1-based), for messages. */
  index: number;
  /** The chunk's lines as the patch wrote them, for messages. */
  body: string[];
}

/** What a patch does to one file. */
export type PatchOp =
  | { kind: 'add'; path: string; content: string }
  | { kind: 'delete'; path: string }
  | { kind: 'update'; path: string; moveTo?: string; chunks: PatchChunk[] };

const invalid = (message: string): CodecrewError => new CodecrewError('TOOL_INVALID_ARGS', message);

/**
 * The patch itself, without what models wrap around it: a Markdown code
 * fence, or a shell here-document (`apply_patch <<'EOF' … EOF`).
 */
export function unwrapPatch(patch: string): string {
  let text = patch.replace(/\r\n/g, '\n');
  const fenced = /^\s*```[\w-]*\n([\s\S]*?)\n```\s*$/.exec(text);
  if (fenced?.[1] !== undefined) text = `${fenced[1]}\n`;
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => line.trim() === '*** Begin Patch');
  if (begin > 0) {
    const end = lines.findIndex((line, i) => i > begin && line.trim() === '*** End Patch');
    text = lines.slice(begin, end === -1 ? undefined : end + 1).join('\n');
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** True for the context-anchored format (`*** Begin Patch` … `*** End Patch`). */
export function isAnchoredPatch(text: string): boolean {
  return text.split('\n').some((line) => line.trim() === '*** Begin Patch');
}

const FILE_HEADER = /^\*\*\* (Add File|Delete File|Update File): (.+)$/;
const MOVE_TO = /^\*\*\* Move to: (.+)$/;
const UNIFIED_HUNK = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/;

/** A chunk under construction. */
function newChunk(index: number): PatchChunk {
  return { anchors: [], lines: [], endOfFile: false, index, body: [] };
}

const hasChanges = (chunk: PatchChunk): boolean => chunk.lines.length > 0;

/**
 * Parses the context-anchored format that OpenAI's Codex uses: files as
 * `*** Add File: p` (lines after it start with `+`), `*** Delete File: p` and
 * `*** Update File: p` (optionally `*** Move to: q`), each update a series of
 * chunks: `@@ anchor` lines, then ` context`, `-old` and `+new` lines.
 * No line numbers. Lenient where models slip: a missing `*** End Patch`, an
 * update's first chunk without `@@`, a context line without its space.
 */
export function parseAnchoredPatch(text: string): PatchOp[] {
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => line.trim() === '*** Begin Patch');
  const ops: PatchOp[] = [];
  let i = begin + 1;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (trimmed === '*** End Patch') break;
    if (trimmed === '') {
      i++;
      continue;
    }
    const header = FILE_HEADER.exec(line.trimEnd());
    if (header === null) {
      throw invalid(
        `line ${i + 1} of the patch is "${line.slice(0, 80)}", where a file header was expected: *** Add File: <path>, *** Update File: <path> or *** Delete File: <path>`,
      );
    }
    const kind = header[1] as string;
    const path = (header[2] as string).trim();
    i++;
    if (kind === 'Delete File') {
      ops.push({ kind: 'delete', path });
      continue;
    }
    if (kind === 'Add File') {
      const content: string[] = [];
      for (; i < lines.length && !isSectionEnd(lines[i] ?? ''); i++) {
        const body = lines[i] ?? '';
        content.push(body.startsWith('+') ? body.slice(1) : body);
      }
      while (content.length > 0 && content[content.length - 1] === '') content.pop();
      ops.push({ kind: 'add', path, content: content.length === 0 ? '' : `${content.join('\n')}\n` });
      continue;
    }
    let moveTo: string | undefined;
    const move = MOVE_TO.exec((lines[i] ?? '').trimEnd());
    if (move !== null) {
      moveTo = (move[1] as string).trim();
      i++;
    }
    const chunks: PatchChunk[] = [];
    let chunk = newChunk(1);
    for (; i < lines.length && !isSectionEnd(lines[i] ?? ''); i++) {
      const body = lines[i] ?? '';
      if (body.trim() === '*** End of File') {
        chunk.endOfFile = true;
        continue;
      }
      if (body.startsWith('@@')) {
        if (hasChanges(chunk)) {
          chunks.push(chunk);
          chunk = newChunk(chunks.length + 1);
        }
        chunk.body.push(body);
        const unified = UNIFIED_HUNK.exec(body);
        if (unified !== null) chunk.hintLine = Number(unified[1]);
        else if (body.slice(2).trim() !== '') chunk.anchors.push(body.slice(2).trim());
        continue;
      }
      addChunkLine(chunk, body);
    }
    // Blank lines between this file's last change and the next header are spacing, not context.
    while (chunk.lines.at(-1)?.kind === ' ' && chunk.lines.at(-1)?.text === '') chunk.lines.pop();
    if (hasChanges(chunk)) chunks.push(chunk);
    if (chunks.length === 0 && moveTo === undefined)
      throw invalid(`*** Update File: ${path} has no changes; give @@ chunks with -old and +new lines`);
    ops.push(moveTo === undefined ? { kind: 'update', path, chunks } : { kind: 'update', path, moveTo, chunks });
  }
  if (ops.length === 0)
    throw invalid(
      'the patch changes no file; put *** Add File, *** Update File or *** Delete File sections between *** Begin Patch and *** End Patch',
    );
  return ops;
}

function isSectionEnd(line: string): boolean {
  const trimmed = line.trimEnd();
  return trimmed === '*** End Patch' || FILE_HEADER.test(trimmed);
}

/** Adds one hunk body line (` context`, `-old`, `+new`, an empty line as empty context) to a chunk. */
function addChunkLine(chunk: PatchChunk, line: string): void {
  chunk.body.push(line);
  const kind = line[0];
  if (kind === '-' || kind === '+') chunk.lines.push({ kind, text: line.slice(1) });
  // ' ' prefix, an empty line, or (leniently) a context line whose space was dropped.
  else chunk.lines.push({ kind: ' ', text: kind === ' ' ? line.slice(1) : line });
}

/** Lines a plain-text unified diff may hold besides headers and hunks; anything else (binary, renames, modes) is for git alone. */
const IGNORABLE = /^(diff --git |index [0-9a-f]+\.\.[0-9a-f]+|new file mode |deleted file mode |Only in )/;

/**
 * Parses a unified diff of text files, ignoring the hunks' line counts (which
 * models get wrong) and keeping their start lines only as hints. Returns
 * null when the diff holds something only git can apply (binary data,
 * renames, mode changes) or nothing this parser understands.
 */
export function parseUnifiedLoose(text: string): PatchOp[] | null {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const files: Array<{ minus: string; plus: string; chunks: PatchChunk[] }> = [];
  let chunk: PatchChunk | null = null;
  let lastKind = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const file = files.at(-1);
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && isHunkOrEnd(lines[i + 2])) {
      files.push({ minus: headerPath(line.slice(4)), plus: headerPath((lines[i + 1] ?? '').slice(4)), chunks: [] });
      chunk = null;
      i++;
      continue;
    }
    if (line.startsWith('@@')) {
      if (file === undefined) return null;
      chunk = newChunk(file.chunks.length + 1);
      chunk.body.push(line);
      const hint = UNIFIED_HUNK.exec(line);
      if (hint !== null) chunk.hintLine = Number(hint[1]);
      file.chunks.push(chunk);
      continue;
    }
    if (chunk !== null && (line === '' || ' +-'.includes(line[0] ?? '?'))) {
      addChunkLine(chunk, line);
      lastKind = line[0] ?? ' ';
      continue;
    }
    if (chunk !== null && line.startsWith('\\')) {
      if (lastKind !== '-') chunk.newNoEol = true;
      continue;
    }
    if (IGNORABLE.test(line)) {
      chunk = null;
      continue;
    }
    if (chunk !== null && !/^(---|\+\+\+) /.test(line) && !/^[A-Za-z ]+ (from|to|index|mode) /.test(line)) {
      // A context line whose leading space was dropped; it must still match the file.
      addChunkLine(chunk, line);
      lastKind = ' ';
      continue;
    }
    return null;
  }
  if (files.length === 0) return null;
  const prefixed = files.every(
    (f) => (f.minus === '/dev/null' || f.minus.startsWith('a/')) && (f.plus === '/dev/null' || f.plus.startsWith('b/')),
  );
  const strip = (path: string): string => (prefixed && path !== '/dev/null' ? path.slice(2) : path);
  return files.map((f): PatchOp => {
    const minus = strip(f.minus);
    const plus = strip(f.plus);
    if (plus === '/dev/null') return { kind: 'delete', path: minus };
    if (minus === '/dev/null') {
      const content = f.chunks.flatMap((c) => newSide(c.lines));
      const noEol = f.chunks.at(-1)?.newNoEol === true;
      return {
        kind: 'add',
        path: plus,
        content: content.length === 0 ? '' : `${content.join('\n')}${noEol ? '' : '\n'}`,
      };
    }
    const op: PatchOp = { kind: 'update', path: minus, chunks: f.chunks.filter(hasChanges) };
    if (plus !== minus) op.moveTo = plus;
    return op;
  });
}

function isHunkOrEnd(line: string | undefined): boolean {
  return line === undefined || line.startsWith('@@') || line.startsWith('diff ') || line === '';
}

/** The path of a `---`/`+++` header: a trailing tab and timestamp dropped, surrounding quotes removed. */
function headerPath(rest: string): string {
  const value = (rest.split('\t')[0] ?? '').trimEnd();
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}

import type { HunkOrigin } from './types.ts';

/** One line of a hunk, with its line numbers on each side. */
export interface DiffLine {
  kind: 'context' | 'add' | 'del' | 'note';
  text: string;
  oldLine?: number;
  newLine?: number;
}

/** One hunk of a file's diff, with who wrote it. */
export interface DiffHunk {
  header: string;
  lines: DiffLine[];
  origin?: HunkOrigin;
}

/** One file of a unified diff. */
export interface DiffFile {
  path: string;
  oldPath: string | null;
  newFile: boolean;
  deleted: boolean;
  hunks: DiffHunk[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Splits a unified diff (git's format) into files, hunks and numbered lines. */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let hunk: DiffHunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const match = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
      file = {
        path: match?.[2] ?? line.slice(11),
        oldPath: match?.[1] ?? null,
        newFile: false,
        deleted: false,
        hunks: [],
      };
      files.push(file);
      hunk = undefined;
      continue;
    }
    if (file === undefined) continue;
    const header = HUNK_HEADER.exec(line);
    if (header !== null) {
      hunk = { header: header[0], lines: [] };
      file.hunks.push(hunk);
      oldLine = Number(header[1]);
      newLine = Number(header[2]);
      continue;
    }
    if (hunk === undefined) {
      if (line.startsWith('new file mode')) file.newFile = true;
      else if (line.startsWith('deleted file mode')) file.deleted = true;
      else if (line.startsWith('+++ ') && line !== '+++ /dev/null') file.path = line.slice(6);
      continue;
    }
    if (line.startsWith('+')) hunk.lines.push({ kind: 'add', text: line.slice(1), newLine: newLine++ });
    else if (line.startsWith('-')) hunk.lines.push({ kind: 'del', text: line.slice(1), oldLine: oldLine++ });
    else if (line.startsWith('\\')) hunk.lines.push({ kind: 'note', text: line });
    else if (line.startsWith(' ')) {
      hunk.lines.push({ kind: 'context', text: line.slice(1), oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return files;
}

/**
 * Attaches each hunk's origin from report.json's provenance, matched by file and hunk header. A hunk
 * with no recorded origin keeps `origin` undefined.
 */
export function attachProvenance(files: DiffFile[], provenance: readonly HunkOrigin[]): DiffFile[] {
  const byKey = new Map(provenance.map((origin) => [`${origin.file}\n${origin.hunk}`, origin]));
  for (const file of files) {
    for (const hunk of file.hunks) hunk.origin = byKey.get(`${file.path}\n${hunk.header}`);
  }
  return files;
}

/** A hunk's label: the subtasks that wrote it and their jobs, `inferred` when git blame had to guess. */
export function provenanceLabel(origin: HunkOrigin | undefined): string {
  if (origin === undefined || origin.subtasks.length === 0) return 'origin unknown';
  const jobs = origin.jobs.map(shortJobId).join(', ');
  return `${origin.subtasks.join(' + ')} · ${jobs}${origin.inferred ? ' (inferred)' : ''}`;
}

/** A job id without its task id prefix: `code-slug-r0` for `t0abc-code-slug-r0`. */
export function shortJobId(jobId: string): string {
  const dash = jobId.indexOf('-');
  return dash > 0 && jobId.startsWith('t') ? jobId.slice(dash + 1) : jobId;
}

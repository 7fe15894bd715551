import { CodecrewError } from '@codecrew/core';
import type { GitOutput } from './git.ts';
import { actualLinesAt, applyChunks, type ChunkReject } from './patch-match.ts';
import {
  isAnchoredPatch,
  oldSide,
  parseAnchoredPatch,
  parseUnifiedLoose,
  unwrapPatch,
  type PatchOp,
} from './patch-parse.ts';
import { patchPaths } from './patch-paths.ts';

/** What applying a patch did. */
export interface PatchOutcome {
  /** Every hunk applied. */
  applied: boolean;
  /** Files written, created or deleted. */
  files: string[];
  /** What did not apply, hunk by hunk, each with the file's actual lines where it was meant to go; '' when all applied. */
  rejected: string;
  /** How the patch was applied when not exactly as written, for the model to check; '' when exactly. */
  note: string;
}

/** What applying a patch needs from the workspace; every path is workspace-relative. */
export interface PatchHost {
  root: string;
  /** Throws unless the path stays inside the workspace and passes through no symlink. */
  resolveForWrite(path: string): string;
  /** The file's text; null when it does not exist. Throws for binary files and directories. */
  readText(path: string): Promise<string | null>;
  writeFile(path: string, content: string): Promise<void>;
  deleteFile(path: string): Promise<void>;
  /** Runs git on the workspace (work tree and baseline git dir), `input` on stdin. */
  git(args: string[], input: string): Promise<GitOutput>;
  /** Hands paths git created to the sandbox user. */
  chownTouched(paths: string[]): Promise<void>;
}

const NOTE_PLACED =
  'the hunk headers did not match the file (line numbers or counts), so the hunks were placed by their content';
const NOTE_FUZZY =
  'some context lines did not match and were left out when placing a hunk; check the result with read_file';

/**
 * Applies a patch in either format the `apply_patch` tool takes. The
 * context-anchored `*** Begin Patch` format is applied whole or not at all.
 * A unified diff is applied exactly by `git apply` when it can be; a text
 * diff that cannot is applied hunk by hunk by content (line counts ignored,
 * whitespace and outer context forgiven); anything else (binary, renames)
 * goes to `git apply --recount -C1`, then `--reject`. Unplaced hunks come
 * back with the file's actual lines.
 */
export async function applyPatchText(host: PatchHost, patch: string): Promise<PatchOutcome> {
  const text = unwrapPatch(patch);
  if (isAnchoredPatch(text)) return applyOps(host, parseAnchoredPatch(text), 'atomic', '');
  const { strip, paths } = patchPaths(text);
  if (paths.length === 0) {
    throw new CodecrewError(
      'TOOL_INVALID_ARGS',
      'the patch names no file; give a unified diff with --- and +++ headers, or the *** Begin Patch / *** Update File: <path> format',
    );
  }
  for (const path of paths) host.resolveForWrite(path);
  // git's own reading of the patch is the authority on what it will touch.
  const numstat = await host.git(['apply', `-p${strip}`, '--numstat', '-z', '-'], text);
  if (numstat.code === 0) {
    const touched = [...new Set([...paths, ...numstatPaths(numstat.stdout)])];
    for (const path of touched) host.resolveForWrite(path);
    const exact = await host.git(['apply', `-p${strip}`, '--whitespace=nowarn', '-'], text);
    if (exact.code === 0) return done(host, touched, '');
  }
  const loose = parseUnifiedLoose(text);
  if (loose !== null) return applyOps(host, loose, 'partial', NOTE_PLACED);
  // Only git can apply this patch (binary data, renames, modes): let it count the hunks' lines itself.
  const recounted =
    numstat.code === 0 ? numstat : await host.git(['apply', `-p${strip}`, '--recount', '--numstat', '-z', '-'], text);
  if (recounted.code !== 0)
    throw new CodecrewError(
      'TOOL_FAILED',
      `the patch cannot be read: ${gitErrors(recounted.stderr) || 'git apply refused it'}`,
    );
  return applyWithGit(host, text, strip, [...new Set([...paths, ...numstatPaths(recounted.stdout)])]);
}

/** A patch only git can apply that did not apply as written: recounted with one line of context, then hunk by hunk. */
async function applyWithGit(host: PatchHost, text: string, strip: number, touched: string[]): Promise<PatchOutcome> {
  const lenient = ['apply', `-p${strip}`, '--recount', '--ignore-whitespace', '--whitespace=nowarn'];
  const fuzzy = await host.git([...lenient, '-C1', '-'], text);
  if (fuzzy.code === 0) return done(host, touched, NOTE_FUZZY);
  const rejectFiles = touched.map((p) => `${p}.rej`);
  const preexisting = new Set<string>();
  for (const rej of rejectFiles) if ((await host.readText(rej).catch(() => '')) !== null) preexisting.add(rej);
  const result = await host.git([...lenient, '--reject', '-'], text);
  const rejected: string[] = [gitErrors(result.stderr)];
  for (const rej of rejectFiles) {
    if (preexisting.has(rej)) continue;
    const body = await host.readText(rej).catch(() => null);
    if (body === null) continue;
    await host.deleteFile(rej).catch(() => undefined);
    const path = rej.slice(0, -4);
    const current = (await host.readText(path).catch(() => null)) ?? '';
    const parsed = parseUnifiedLoose(`--- ${path}\n+++ ${path}\n${body.split('\n').slice(1).join('\n')}`);
    const chunks = parsed?.[0]?.kind === 'update' ? parsed[0].chunks : [];
    rejected.push(
      chunks.length > 0
        ? describeRejects(
            path,
            current,
            chunks.map((chunk) => ({ chunk, reason: 'it does not match the file' })),
          )
        : `${path}: hunks that did not apply:\n${body}`,
    );
  }
  await host.chownTouched(touched);
  if (result.code === 0) return { applied: true, files: touched, rejected: '', note: '' };
  return { applied: false, files: touched, rejected: rejected.filter((s) => s !== '').join('\n\n'), note: '' };
}

async function done(host: PatchHost, touched: string[], note: string): Promise<PatchOutcome> {
  await host.chownTouched(touched);
  return { applied: true, files: touched, rejected: '', note };
}

/** One file's planned result. */
type Planned = { kind: 'write'; path: string; content: string } | { kind: 'delete'; path: string };

/**
 * Applies parsed file operations. `atomic`: nothing is written unless every
 * chunk of every file is placed. `partial`: what can be placed is written.
 */
async function applyOps(
  host: PatchHost,
  ops: PatchOp[],
  mode: 'atomic' | 'partial',
  placedNote: string,
): Promise<PatchOutcome> {
  for (const op of ops) {
    host.resolveForWrite(op.path);
    if (op.kind === 'update' && op.moveTo !== undefined) host.resolveForWrite(op.moveTo);
  }
  const planned: Planned[] = [];
  const rejected: string[] = [];
  let fuzzy = false;
  for (const op of ops) {
    const current = await host.readText(op.path).catch((error: unknown) => {
      rejected.push(`${op.path}: ${(error as Error).message}`);
      return undefined;
    });
    if (current === undefined) continue;
    if (op.kind === 'add') {
      if (current !== null)
        rejected.push(
          `${op.path}: the patch adds this file, but it exists; change it with *** Update File (or a diff against it)`,
        );
      else planned.push({ kind: 'write', path: op.path, content: op.content });
      continue;
    }
    if (current === null) {
      rejected.push(
        `${op.path}: the patch ${op.kind === 'delete' ? 'deletes' : 'changes'} this file, but it does not exist${op.kind === 'update' ? '; create it with *** Add File (or a diff from /dev/null)' : ''}`,
      );
      continue;
    }
    if (op.kind === 'delete') {
      planned.push({ kind: 'delete', path: op.path });
      continue;
    }
    const result = applyChunks(current, op.chunks);
    fuzzy ||= result.fuzzy;
    if (result.rejects.length > 0) rejected.push(describeRejects(op.path, current, result.rejects));
    const target = op.moveTo ?? op.path;
    if (op.moveTo !== undefined && op.moveTo !== op.path) {
      if ((await host.readText(op.moveTo).catch(() => '')) !== null) {
        rejected.push(`${op.path}: the patch moves it to ${op.moveTo}, which exists`);
        continue;
      }
      planned.push({ kind: 'delete', path: op.path });
    }
    if (result.applied > 0 || target !== op.path) planned.push({ kind: 'write', path: target, content: result.text });
  }
  if (mode === 'atomic' && rejected.length > 0)
    return { applied: false, files: [], rejected: rejected.join('\n\n'), note: '' };
  for (const step of planned) {
    if (step.kind === 'write') await host.writeFile(step.path, step.content);
    else await host.deleteFile(step.path);
  }
  const files = [...new Set(planned.map((step) => step.path))];
  const notes = [planned.length > 0 ? placedNote : '', fuzzy ? NOTE_FUZZY : ''].filter((n) => n !== '');
  return { applied: rejected.length === 0, files, rejected: rejected.join('\n\n'), note: notes.join('; ') };
}

const MAX_HUNK_LINES_SHOWN = 30;

/** Each rejected chunk: why, its lines as the patch gave them, and the file's actual lines where it was meant to go. */
function describeRejects(path: string, current: string, rejects: ChunkReject[]): string {
  return rejects
    .map(({ chunk, reason, nearLine }) => {
      const lines =
        chunk.body.length > MAX_HUNK_LINES_SHOWN
          ? [...chunk.body.slice(0, MAX_HUNK_LINES_SHOWN), `… (${chunk.body.length - MAX_HUNK_LINES_SHOWN} more lines)`]
          : chunk.body;
      const old = oldSide(chunk.lines);
      const want = old.length > 0 ? old : chunk.anchors;
      const actual = actualLinesAt(current, want, chunk.hintLine ?? nearLine) ?? '(no line of the file resembles it)';
      return `${path}, hunk ${chunk.index} did not apply: ${reason}.\n${lines.join('\n')}\n${actual}`;
    })
    .join('\n\n');
}

/** The `error:` lines git printed. */
function gitErrors(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('error:'))
    .join('\n');
}

/** Paths of `git apply --numstat -z` output. */
function numstatPaths(output: Buffer): string[] {
  // -z records: "added\tdeleted\tpath\0" or, for renames, "added\tdeleted\t\0old\0new\0".
  const fields = output.toString('utf8').split('\0');
  const paths: string[] = [];
  for (const field of fields) {
    const tab = field.lastIndexOf('\t');
    const path = tab === -1 ? field : field.slice(tab + 1);
    if (path.length > 0) paths.push(path);
  }
  return paths;
}

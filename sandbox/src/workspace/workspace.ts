import {
  closeSync,
  constants,
  fchownSync,
  lstatSync,
  openSync,
  readFileSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { lstat, mkdir, open, readFile, readlink, realpath, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { removeTree } from '../remove-tree.ts';
import { CodecrewError, gitBlobId, type FileSetEntry } from '@codecrew/core';
import { confine, firstSymlink, normalizeRelative } from './confine.ts';
import { git, runGit } from './git.ts';
import { listTree } from './list.ts';
import { applyPatchText, type PatchOutcome } from './patch-apply.ts';
import { parseRawChanges, type WorkspaceChange } from './raw-changes.ts';
import type { BaselineCache } from './baselines.ts';
import { MAX_READ_BYTES, looksBinary, numberLines } from './read.ts';
import { describeChange, type FileChange } from './snippet.ts';
import { canChown, chownTree, extractTar } from './tree.ts';
import { makeParents, writeFileSet } from './write-files.ts';

/** Options of {@link Workspace.create}. */
export interface WorkspaceCreateOptions {
  /** Folder that will hold `ws` (the mount) and `base.git` (the baseline); created if missing. */
  parentDir: string;
  /** A `git archive --format=tar` of the starting tree. */
  tar: Uint8Array;
  /** Owner of the files, the sandbox user; default 1000. */
  uid?: number;
  gid?: number;
  /** Record the starting tree as a baseline commit, for `diff()` and `applyPatch()`; default true. Jobs that change nothing skip it. */
  baseline?: boolean;
  /** Share the baseline with other workspaces of the same tree, named by `key` (e.g. its artifact name). */
  shared?: { cache: BaselineCache; key: string };
}

const IDENTITY = ['-c', 'user.name=codecrew', '-c', 'user.email=codecrew@localhost', '-c', 'commit.gpgsign=false'];
const DEFAULT_LIST_DEPTH = 3;

/** The entry at `path` (not following a link), or undefined when there is none. */
function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

const toolFailed = (message: string, details?: Record<string, unknown>): CodecrewError =>
  new CodecrewError('TOOL_FAILED', message, details === undefined ? {} : { details });

/**
 * A job's working tree on the host: the directory a sandbox mounts at
 * /workspace, plus a baseline commit kept outside it so the sandbox cannot
 * rewrite history. File tools work here from the host, confined to the tree.
 */
export class Workspace {
  /** Absolute (real) path of the tree, `<parentDir>/ws`. */
  readonly root: string;
  /** The git dir holding the baseline commit, `<parentDir>/base.git`. */
  readonly gitDir: string;
  /** Lets go of a shared baseline. */
  private release: (() => Promise<void>) | undefined;

  private constructor(
    readonly parentDir: string,
    root: string,
    private readonly uid: number,
    private readonly gid: number,
  ) {
    this.root = root;
    this.gitDir = join(parentDir, 'base.git');
  }

  /** Extracts `tar` into `<parentDir>/ws`, hands it to uid:gid and records it as the baseline commit. */
  static async create(options: WorkspaceCreateOptions): Promise<Workspace> {
    await mkdir(options.parentDir, { recursive: true });
    const parentDir = await realpath(options.parentDir);
    const wsDir = join(parentDir, 'ws');
    await mkdir(wsDir);
    const uid = options.uid ?? 1000;
    const gid = options.gid ?? 1000;
    const workspace = new Workspace(parentDir, wsDir, uid, gid);
    // Every git call names --git-dir and --work-tree, so a bare, template-free repository is enough (and faster).
    const baseline = options.baseline !== false;
    const shared = baseline ? options.shared : undefined;
    await Promise.all([
      baseline && !shared
        ? git(['init', '--quiet', '--bare', '--template=', workspace.gitDir], { cwd: parentDir })
        : undefined,
      extractTar(options.tar, wsDir, { uid, gid }),
    ]);
    if (!baseline) return workspace;
    if (shared) {
      workspace.release = await shared.cache.attach(shared.key, wsDir, workspace.gitDir);
      return workspace;
    }
    // -f: files the archive holds are tracked even if a .gitignore matches them.
    await workspace.git(['add', '-A', '-f']);
    await workspace.git([...IDENTITY, 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'baseline']);
    return workspace;
  }

  /**
   * The absolute host path of a workspace-relative path. Throws
   * PATH_OUTSIDE_WORKSPACE for absolute paths, `..` escapes and symlinks that lead out.
   */
  resolve(relPath: string): string {
    return confine(this.root, relPath);
  }

  /** Numbered lines of a text file (`   12\tcode`), from 1-based `offset`, at most `limit` lines. */
  async readFile(path: string, options: { offset?: number; limit?: number } = {}): Promise<string> {
    const abs = this.resolve(path);
    const info = await stat(abs).catch(() => undefined);
    if (info === undefined) {
      throw new CodecrewError('FILE_NOT_FOUND', `${path} does not exist; use list_files to see what does`, {
        details: { path },
      });
    }
    if (info.isDirectory()) throw toolFailed(`${path} is a directory; use list_files to see what is in it`);
    if (!info.isFile()) throw toolFailed(`${path} is not a regular file`);
    if (info.size > MAX_READ_BYTES) {
      throw toolFailed(
        `${path} is ${info.size} bytes, too big to read whole; use shell with head, sed -n or rg to look into it`,
      );
    }
    const bytes = await readFile(abs);
    if (looksBinary(bytes))
      throw toolFailed(`${path} is a binary file (${bytes.length} bytes); it cannot be shown as text`);
    return numberLines(bytes.toString('utf8'), path, options.offset, options.limit);
  }

  /**
   * Writes a file, creating parent directories; refuses to write through a
   * symlink. Returns what changed, with the changed lines and some context
   * around them, numbered.
   */
  async writeFile(path: string, content: string): Promise<FileChange> {
    // A file that cannot be read as text (binary) is still replaced; writeText refuses what cannot be written.
    const before = await this.readText(path).catch(() => '');
    await this.writeText(path, content);
    return describeChange(path, before, content);
  }

  /**
   * Writes a file set (a coder's changed files, or several coders' merged)
   * over the workspace, as git would check it out; see `writeFileSet`.
   */
  writeFileSet(entries: FileSetEntry[]): void {
    writeFileSet(this.root, entries, { uid: this.uid, gid: this.gid });
  }

  /**
   * Replaces the one occurrence of `oldText` with `newText`; fails unless
   * `oldText` occurs exactly once. Returns the changed lines with context.
   */
  async editFile(path: string, oldText: string, newText: string): Promise<FileChange> {
    const abs = this.resolveForWrite(path);
    if (oldText.length === 0) {
      throw new CodecrewError(
        'TOOL_INVALID_ARGS',
        'old must not be empty; use write_file to create or replace a whole file',
      );
    }
    const bytes = await readFile(abs).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new CodecrewError('FILE_NOT_FOUND', `${path} does not exist; use write_file to create it`, {
          details: { path },
        });
      }
      throw toolFailed(`could not read ${path}: ${error.message}`);
    });
    if (looksBinary(bytes)) throw toolFailed(`${path} is a binary file; edit_file works on text only`);
    const text = bytes.toString('utf8');
    const count = countOccurrences(text, oldText);
    if (count !== 1) {
      const hint =
        count === 0
          ? 'read the file again and copy the exact text, whitespace included'
          : 'include more surrounding lines in old so that it matches exactly once';
      throw toolFailed(`old text occurs ${count} times in ${path}, it must occur exactly once; ${hint}`, {
        path,
        occurrences: count,
      });
    }
    const at = text.indexOf(oldText);
    const after = text.slice(0, at) + newText + text.slice(at + oldText.length);
    await this.writeText(path, after);
    return describeChange(path, text, after);
  }

  /**
   * Applies a patch: a unified diff, or the context-anchored `*** Begin Patch`
   * format (see `applyPatchText`). Every path it names must stay inside the
   * workspace and not pass through a symlink. Hunks that cannot be placed
   * come back in `rejected` with the file's actual lines where they were meant to go.
   */
  async applyPatch(patch: string): Promise<PatchOutcome> {
    return applyPatchText(
      {
        root: this.root,
        resolveForWrite: (path) => this.resolveForWrite(path),
        readText: (path) => this.readText(path),
        writeFile: (path, content) => this.writeText(path, content),
        deleteFile: async (path) => {
          await unlink(this.resolveForWrite(path));
        },
        git: (args, input) => runGit(this.gitArgs(args), { cwd: this.root, input }),
        chownTouched: async (paths) => {
          if (canChown()) await this.chownTouched(paths);
        },
      },
      patch,
    );
  }

  /** Paths below `path` to `depth` levels, one a line, directories with a trailing '/'. */
  async listFiles(path = '.', depth = DEFAULT_LIST_DEPTH): Promise<string> {
    const abs = this.resolve(path);
    const info = await stat(abs).catch(() => undefined);
    if (info === undefined) throw new CodecrewError('FILE_NOT_FOUND', `${path} does not exist`, { details: { path } });
    const rel = normalizeRelative(path);
    if (!info.isDirectory()) return rel;
    return listTree(abs, rel, Math.max(1, Math.floor(depth)));
  }

  /**
   * The binary-safe diff of the tree against the baseline, new and deleted
   * files included, .gitignore respected, with each changed path's new mode
   * and blob id.
   */
  async diff(): Promise<{ patch: string; changedFiles: string[]; changes: WorkspaceChange[] }> {
    await this.git(['add', '-A']);
    const out = await this.git([
      'diff',
      '--cached',
      '--binary',
      '--no-renames',
      '--no-color',
      '--no-ext-diff',
      '--no-abbrev',
      '-z',
      '--patch-with-raw',
      'HEAD',
    ]);
    const { changes, patchStart } = parseRawChanges(out);
    return { patch: out.subarray(patchStart).toString('utf8'), changedFiles: changes.map((c) => c.path), changes };
  }

  /**
   * The new bytes of each changed path (a symlink's target for mode 120000),
   * checked against the blob id git recorded; null when any path cannot be
   * read as git saw it (changed since, a submodule, or not a plain file).
   */
  async readChanges(changes: WorkspaceChange[]): Promise<FileSetEntry[] | null> {
    const entries: FileSetEntry[] = [];
    for (const change of changes) {
      if (change.mode === null || change.blob === null) {
        entries.push({ path: change.path, mode: null, blob: null, data: null });
        continue;
      }
      const data = await this.readVerbatim(change.path, change.mode).catch(() => null);
      if (data === null || gitBlobId(data, change.blob.length === 64 ? 64 : 40) !== change.blob) return null;
      entries.push({ path: change.path, mode: change.mode, blob: change.blob, data });
    }
    return entries;
  }

  /** Removes the workspace and its baseline. */
  async dispose(): Promise<void> {
    await removeTree(this.parentDir);
    await this.release?.();
  }

  /** The bytes git would store for `path`: a file's content or a symlink's target; never through a symlink. */
  private async readVerbatim(path: string, mode: string): Promise<Buffer | null> {
    const abs = this.resolve(path);
    const link = firstSymlink(this.root, path);
    // Only the path itself may be a symlink, and only when git recorded one.
    if (link !== undefined && !(mode === '120000' && link === normalizeRelative(path))) return null;
    if (mode === '120000') return Buffer.from(await readlink(abs, { encoding: 'buffer' }));
    if (mode !== '100644' && mode !== '100755') return null;
    const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /**
   * Writes a file as it is given. The few calls it takes are made at once
   * rather than through the file system's thread pool, which eight agents
   * writing together would keep waiting.
   */
  private async writeText(path: string, content: string): Promise<void> {
    const abs = this.resolveForWrite(path);
    const normal = normalizeRelative(path);
    this.makeParents(normal);
    const existing = lstatOrUndefined(abs);
    if (existing?.isDirectory() === true) throw toolFailed(`${path} is a directory; give a file path`);
    let fd: number;
    try {
      // O_NOFOLLOW: a symlink swapped in since the check above is refused by the kernel.
      fd = openSync(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP')
        throw toolFailed(`${path} is a symbolic link; write its target instead`);
      throw toolFailed(`could not write ${path}: ${(error as Error).message}`);
    }
    try {
      writeFileSync(fd, content, 'utf8');
      if (existing === undefined && canChown()) fchownSync(fd, this.uid, this.gid);
    } finally {
      closeSync(fd);
    }
  }

  /** The text of a file that is about to be written; null when there is none. Refuses directories and binary files. */
  private async readText(path: string): Promise<string | null> {
    const abs = this.resolveForWrite(path);
    const info = lstatOrUndefined(abs);
    if (info === undefined) return null;
    if (info.isDirectory()) throw toolFailed(`${path} is a directory; give a file path`);
    if (!info.isFile()) throw toolFailed(`${path} is not a regular file`);
    // Read at once, like the write that follows, rather than through the thread pool.
    const bytes = readFileSync(abs);
    if (looksBinary(bytes)) throw toolFailed(`${path} is a binary file; only text files can be edited or patched`);
    return bytes.toString('utf8');
  }

  private resolveForWrite(path: string): string {
    const abs = this.resolve(path);
    if (abs === this.root) throw toolFailed('the workspace root is a directory; give a file path');
    const link = firstSymlink(this.root, path);
    if (link !== undefined) {
      throw toolFailed(`${path} goes through the symbolic link ${link}; write to the real path instead`, {
        path,
        symlink: link,
      });
    }
    return abs;
  }

  private makeParents(normal: string): void {
    makeParents(this.root, normal, { uid: this.uid, gid: this.gid });
  }

  /** Hands files and directories git apply created (as this process's user) to the sandbox user. */
  private async chownTouched(paths: string[]): Promise<void> {
    for (const path of paths) {
      let current = this.root;
      for (const part of normalizeRelative(path).split('/')) {
        current = join(current, part);
        const info = await lstat(current).catch(() => undefined);
        if (info === undefined) break;
        if (info.uid !== this.uid) await chownTree(current, this.uid, this.gid);
      }
    }
  }

  private gitArgs(args: string[]): string[] {
    return [`--git-dir=${this.gitDir}`, `--work-tree=${this.root}`, ...args];
  }

  private async git(args: string[]): Promise<Buffer> {
    return git(this.gitArgs(args), { cwd: this.root });
  }
}

/** Counts occurrences of `needle`, overlapping ones included, since any of them would make the edit ambiguous. */
export function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

import { readFile as fsReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError } from '@codecrew/core';

/** Reads a repo-relative POSIX path; `undefined` when the file does not exist. */
export type AgentsMdReader = (relPath: string) => Promise<string | undefined>;

/** The loaded instructions, the files they came from (repo-relative) and whether the budget cut them. */
export interface AgentsMdResult {
  text: string;
  files: string[];
  truncated: boolean;
}

/** Default budget, as Codex's `project_doc_max_bytes`. */
export const AGENTS_MD_BUDGET_BYTES = 32 * 1024;

/** The file names looked for in each directory, the override first. */
export const AGENTS_MD_NAMES = ['AGENTS.override.md', 'AGENTS.md'] as const;

/** The directories from the root down to `cwd`, as repo-relative prefixes ('' for the root, then 'src/', 'src/api/'). */
export function agentsMdDirs(cwd = '.'): string[] {
  const segments = cwd.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new CodecrewError(
      'PATH_OUTSIDE_WORKSPACE',
      `cwd '${cwd}' leaves the repository; give a directory inside it`,
      {
        details: { cwd },
      },
    );
  }
  const dirs = [''];
  for (let i = 1; i <= segments.length; i++) dirs.push(`${segments.slice(0, i).join('/')}/`);
  return dirs;
}

/**
 * The directories from the root down to each of `cwds`, each once, shallower
 * first (root, then depth 1, ...), so deeper files come later and win.
 */
export function agentsMdDirsOf(cwds: string | readonly string[]): string[] {
  const all = new Set<string>();
  for (const cwd of typeof cwds === 'string' ? [cwds] : cwds.length > 0 ? cwds : ['.']) {
    for (const dir of agentsMdDirs(cwd)) all.add(dir);
  }
  const depth = (dir: string): number => dir.split('/').length;
  return [...all].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Collects AGENTS.md files from the root down to `cwd` (or to each of several
 * directories), one per directory (`AGENTS.override.md` instead of
 * `AGENTS.md` when present and not empty), root first so deeper files come
 * later and win, within `budgetBytes`.
 */
export async function collectAgentsMd(
  read: AgentsMdReader,
  cwd: string | readonly string[] = '.',
  budgetBytes = AGENTS_MD_BUDGET_BYTES,
): Promise<AgentsMdResult> {
  const sections: Array<{ file: string; text: string }> = [];
  for (const dir of agentsMdDirsOf(cwd)) {
    for (const name of AGENTS_MD_NAMES) {
      const content = await read(`${dir}${name}`);
      if (content === undefined || content.trim() === '') continue;
      sections.push({
        file: `${dir}${name}`,
        text: `<!-- ${name} from ${dir === '' ? './' : dir} -->\n${content.trimEnd()}\n`,
      });
      break;
    }
  }
  return fitBudget(sections, budgetBytes);
}

function fitBudget(sections: Array<{ file: string; text: string }>, budgetBytes: number): AgentsMdResult {
  const full = sections.map((s) => s.text).join('\n');
  if (Buffer.byteLength(full) <= budgetBytes)
    return { text: full, files: sections.map((s) => s.file), truncated: false };
  const marker = `\n<!-- AGENTS.md truncated: over the ${budgetBytes}-byte budget -->\n`;
  const room = Math.max(0, budgetBytes - Buffer.byteLength(marker));
  const text = `${cutUtf8(full, room)}${marker}`;
  const files: string[] = [];
  let offset = 0;
  for (const section of sections) {
    if (Buffer.byteLength(full.slice(0, offset)) >= room) break;
    files.push(section.file);
    offset += section.text.length + 1;
  }
  return { text: Buffer.byteLength(text) <= budgetBytes ? text : cutUtf8(text, budgetBytes), files, truncated: true };
}

/** The longest prefix of `text` within `bytes` UTF-8 bytes, never splitting a character. */
function cutUtf8(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  let end = bytes;
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** Loads AGENTS.md instructions from a directory on disk, as OpenAI's Codex does. */
export async function loadAgentsMd(opts: {
  repoRoot: string;
  /** The directory, or directories, whose AGENTS.md files (and their parents') apply; default the root. */
  cwd?: string | readonly string[];
  budgetBytes?: number;
  readFile?: AgentsMdReader;
}): Promise<AgentsMdResult> {
  const read: AgentsMdReader =
    opts.readFile ??
    (async (rel) => {
      try {
        return await fsReadFile(join(opts.repoRoot, rel), 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
        throw new CodecrewError(
          'FILE_NOT_FOUND',
          `cannot read ${rel} in ${opts.repoRoot}: ${String(error)}; check its permissions`,
          {
            cause: error,
          },
        );
      }
    });
  return collectAgentsMd(read, opts.cwd, opts.budgetBytes);
}

import { z } from 'zod';
import { defineTool, text } from '../runtime/tool.ts';

const MAX_SEARCH_LINES = 200;

/** Quotes a value for bash. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `list_files {path?, depth?}` → relative paths, one a line. */
export const listFilesTool = defineTool({
  name: 'list_files',
  description: 'List files and directories (directories end with /) under a path of the workspace.',
  schema: z.object({
    path: z.string().optional().describe('Directory relative to the workspace root; default "."'),
    depth: z.number().int().min(1).max(20).optional().describe('How many levels to descend; default 3'),
  }),
  async run(args, ctx) {
    return text(await ctx.workspace.listFiles(args.path ?? '.', args.depth ?? 3));
  },
});

/** `read_file {path, offset?, limit?}` → numbered lines. */
export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a text file of the workspace; lines come numbered (the numbers are not part of the file). Long files come in pieces: use offset and limit to read on.',
  schema: z.object({
    path: z.string().min(1).describe('File path relative to the workspace root'),
    offset: z.number().int().min(1).optional().describe('First line to show (1-based); default 1'),
    limit: z.number().int().min(1).optional().describe('How many lines to show; default 2000'),
  }),
  async run(args, ctx) {
    const opts: { offset?: number; limit?: number } = {};
    if (args.offset !== undefined) opts.offset = args.offset;
    if (args.limit !== undefined) opts.limit = args.limit;
    return text(await ctx.workspace.readFile(args.path, opts));
  },
});

/** The ripgrep command of a search; its exit status is rg's, not that of the `head` that caps the output. */
export function searchCommand(args: { pattern: string; path?: string | undefined; glob?: string | undefined }): string {
  const parts = [
    'rg',
    '--line-number',
    '--no-heading',
    '--color',
    'never',
    '--max-columns',
    '300',
    '-e',
    shellQuote(args.pattern),
  ];
  if (args.glob) parts.push('--glob', shellQuote(args.glob));
  // Always a path: with none, rg would read stdin when it is not a terminal.
  parts.push('--', shellQuote(args.path && args.path !== '' ? args.path : '.'));
  return `${parts.join(' ')} | head -n ${MAX_SEARCH_LINES + 1}; exit "\${PIPESTATUS[0]}"`;
}

/** What the model reads when a search finds nothing: never an empty string. */
function noMatches(
  args: { pattern: string; path?: string | undefined; glob?: string | undefined },
  stderr: string,
): string {
  const where = `${args.path && args.path !== '.' ? args.path : 'the workspace'}${args.glob ? ` (files matching ${args.glob})` : ''}`;
  const said = stderr === '' ? '' : ` (rg: ${stderr.split('\n')[0]})`;
  return (
    `no matches for ${JSON.stringify(args.pattern)} in ${where}${said}. The pattern is a case-sensitive regular expression: ` +
    'start it with (?i) to ignore case, and escape ( ) [ ] { } . * + ? | \\ to match them literally; hidden and .gitignored files are not searched.'
  );
}

/** `search {pattern, path?, glob?}` → `file:line:text` matches (ripgrep in the sandbox), "no matches …", or rg's error. */
export const searchTool = defineTool({
  name: 'search',
  description:
    'Search file contents with a regular expression (ripgrep syntax, case-sensitive). Returns file:line:text matches, at most 200; says so when there are none.',
  schema: z.object({
    pattern: z.string().min(1).describe('Regular expression, e.g. "function\\s+parse" or "(?i)todo"'),
    path: z
      .string()
      .optional()
      .describe('File or directory to search, relative to the workspace root; default the whole workspace'),
    glob: z.string().optional().describe('Only files matching this glob, e.g. "*.ts" or "src/**/*.py"'),
  }),
  async run(args, ctx) {
    if (args.path && args.path !== '.') ctx.workspace.resolve(args.path);
    const result = await ctx.sandbox.exec(searchCommand(args), { signal: ctx.signal });
    const stderr = result.stderr.trim();
    if (result.timedOut) return text('Error: the search timed out; narrow it with path or glob');
    const lines = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/^\.\//, ''));
    if (lines.length === 0) {
      // rg exits 1 when nothing matched and 2 on an error (a bad regular expression, a missing path).
      if (result.exitCode === 0 || result.exitCode === 1) return text(noMatches(args, stderr));
      return text(`Error: ${stderr !== '' ? stderr : `rg exited with status ${String(result.exitCode)}`}`);
    }
    const shown = lines.slice(0, MAX_SEARCH_LINES);
    const notes: string[] = [];
    if (lines.length > MAX_SEARCH_LINES) notes.push(`… more matches; narrow the search with path or glob`);
    if (result.exitCode === 2 && stderr !== '')
      notes.push(`(rg also reported: ${stderr.split('\n').slice(0, 3).join('; ')})`);
    return text([...shown, ...notes].join('\n'));
  },
});

/** `write_file {path, content}` → ok, with the changed lines. */
export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Create a file, or replace a whole file, with the given content (parent directories are created). For a small change to an existing file use edit_file; for several changes, apply_patch.',
  schema: z.object({
    path: z.string().min(1).describe('File path relative to the workspace root'),
    content: z.string().describe('The complete new content of the file'),
  }),
  async run(args, ctx) {
    const change = await ctx.workspace.writeFile(args.path, args.content);
    const bytes = Buffer.byteLength(args.content);
    if (change.created)
      return text(`ok: created ${args.path} (${change.totalLines} lines, ${bytes} bytes):\n${change.snippet}`);
    if (change.unchanged) return text(`ok: wrote ${args.path} (${bytes} bytes); ${change.summary}`);
    return text(
      `ok: wrote ${args.path} (${change.totalLines} lines, ${bytes} bytes); ${change.summary}:\n${change.snippet}`,
    );
  },
});

/** `edit_file {path, old, new}` → ok with the changed lines, or an error unless `old` occurs exactly once. */
export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Replace the exact text `old` with `new` in a file. `old` must occur exactly once: copy it from the file, whitespace included, without the line numbers read_file shows, with enough surrounding lines to make it unique. Returns the changed lines with context.',
  schema: z.object({
    path: z.string().min(1).describe('File path relative to the workspace root'),
    old: z.string().min(1).describe('The exact text to replace'),
    new: z.string().describe('The text to put in its place (empty to delete it)'),
  }),
  async run(args, ctx) {
    const change = await ctx.workspace.editFile(args.path, args.old, args.new);
    if (change.unchanged) return text(`ok: edited ${args.path}; ${change.summary}`);
    return text(
      `ok: edited ${args.path}; ${change.summary} (the file has ${change.totalLines} lines):\n${change.snippet}`,
    );
  },
});

const PATCH_FORMATS = `Either a unified diff (--- a/path, +++ b/path, @@ hunks; line counts may be approximate), or this format without line numbers:
*** Begin Patch
*** Update File: src/app.py
@@ def handler(request):
-    return old_value
+    return new_value
*** Add File: src/new.py
+print("hello")
*** Delete File: src/unused.py
*** End Patch
In an update, lines starting with a space are unchanged context (about 3 lines around each change), - lines are removed, + lines added; an @@ line names a line above the change (a function or class) to find it by.`;

/** `apply_patch {patch}` → ok, or the rejected hunks with the file's actual lines where each was meant to go. */
export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description: `Apply a patch to one or more files (paths relative to the workspace root). ${PATCH_FORMATS}`,
  schema: z.object({ patch: z.string().min(1).describe('The patch text') }),
  async run(args, ctx) {
    const outcome = await ctx.workspace.applyPatch(args.patch);
    const note = outcome.note === '' ? '' : ` (note: ${outcome.note})`;
    if (outcome.applied) return text(`ok: patch applied to ${outcome.files.join(', ')}${note}`);
    if (outcome.files.length === 0) {
      return text(
        `Error: the patch was not applied; no file was changed. Correct these hunks (copy context lines exactly from the file's actual lines) and send the patch again:\n\n${outcome.rejected}`,
      );
    }
    return text(
      `Error: only part of the patch applied${note}. Changed: ${outcome.files.join(', ')}. These hunks did not apply; send a patch for them alone (the rest is already in the files):\n\n${outcome.rejected}`,
    );
  },
});

/** Tools every role may use to look around. */
export const readOnlyTools = [listFilesTool, readFileTool, searchTool];
/** Tools that change the workspace (coders only). */
export const writeTools = [writeFileTool, editFileTool, applyPatchTool];

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
  description: 'Read a text file of the workspace; lines come numbered. Use offset (1-based line) and limit for long files.',
  schema: z.object({
    path: z.string().min(1),
    offset: z.number().int().min(1).optional(),
    limit: z.number().int().min(1).optional(),
  }),
  async run(args, ctx) {
    const opts: { offset?: number; limit?: number } = {};
    if (args.offset !== undefined) opts.offset = args.offset;
    if (args.limit !== undefined) opts.limit = args.limit;
    return text(await ctx.workspace.readFile(args.path, opts));
  },
});

/** `search {pattern, path?, glob?}` → `file:line:text` matches (ripgrep in the sandbox). */
export const searchTool = defineTool({
  name: 'search',
  description: 'Search file contents with a regular expression (ripgrep syntax). Returns file:line:text matches.',
  schema: z.object({
    pattern: z.string().min(1),
    path: z.string().optional().describe('File or directory to search, relative to the workspace root'),
    glob: z.string().optional().describe('Only files matching this glob, e.g. "*.ts"'),
  }),
  async run(args, ctx) {
    const target = args.path && args.path !== '.' ? ctx.workspace.resolve(args.path) : null;
    const parts = ['rg', '--line-number', '--no-heading', '--color', 'never', '--max-columns', '300', '-e', shellQuote(args.pattern)];
    if (args.glob) parts.push('--glob', shellQuote(args.glob));
    if (target !== null) parts.push('--', shellQuote(args.path as string));
    const result = await ctx.sandbox.exec(`${parts.join(' ')} | head -n ${MAX_SEARCH_LINES + 1}`, { signal: ctx.signal });
    if (result.exitCode !== 0 && result.stdout.trim() === '') {
      return text(result.stderr.trim() !== '' ? `Error: ${result.stderr.trim()}` : 'no matches');
    }
    const lines = result.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(/^\.\//, ''));
    const shown = lines.slice(0, MAX_SEARCH_LINES);
    const more = lines.length > MAX_SEARCH_LINES ? `\n… more matches; narrow the search with path or glob` : '';
    return text(shown.join('\n') + more);
  },
});

/** `write_file {path, content}` → ok. */
export const writeFileTool = defineTool({
  name: 'write_file',
  description: 'Create or overwrite a file of the workspace with the given content.',
  schema: z.object({ path: z.string().min(1), content: z.string() }),
  async run(args, ctx) {
    await ctx.workspace.writeFile(args.path, args.content);
    return text(`ok: wrote ${args.path} (${Buffer.byteLength(args.content)} bytes)`);
  },
});

/** `edit_file {path, old, new}` → ok, or an error unless `old` occurs exactly once. */
export const editFileTool = defineTool({
  name: 'edit_file',
  description: 'Replace the exact text `old` with `new` in a file. `old` must occur exactly once; include enough context to make it unique.',
  schema: z.object({ path: z.string().min(1), old: z.string().min(1), new: z.string() }),
  async run(args, ctx) {
    await ctx.workspace.editFile(args.path, args.old, args.new);
    return text(`ok: edited ${args.path}`);
  },
});

/** `apply_patch {patch}` → ok, or the rejected hunks. */
export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description: 'Apply a unified diff (paths relative to the workspace root, a/ and b/ prefixes allowed).',
  schema: z.object({ patch: z.string().min(1) }),
  async run(args, ctx) {
    const outcome = await ctx.workspace.applyPatch(args.patch);
    if (outcome.applied && outcome.rejected.trim() === '') return text('ok: patch applied');
    return text(`Error: some hunks were rejected:\n${outcome.rejected}`);
  },
});

/** Tools every role may use to look around. */
export const readOnlyTools = [listFilesTool, readFileTool, searchTool];
/** Tools that change the workspace (coders only). */
export const writeTools = [writeFileTool, editFileTool, applyPatchTool];

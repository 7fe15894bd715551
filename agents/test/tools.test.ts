import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyUsage } from '@codecrew/core';
import { Workspace, type ExecResult, type Sandbox } from '@codecrew/sandbox';
import { applyPatchTool, editFileTool, searchTool, writeFileTool } from '../src/tools/files.ts';
import { shellTool } from '../src/tools/shell.ts';
import type { ToolContext, ToolDefinition } from '../src/runtime/tool.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `codecrew-agents-${name}-`));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A workspace made from `files`, as a job's workspace is made from its tree. */
async function workspaceOf(name: string, files: Record<string, string>): Promise<Workspace> {
  const repo = tempDir(`${name}-repo`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@x',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@x',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env });
  git('init', '--quiet');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'start');
  const workspace = await Workspace.create({
    parentDir: join(tempDir(name), 'job'),
    tar: git('archive', '--format=tar', 'HEAD'),
  });
  cleanup.push(() => workspace.dispose());
  return workspace;
}

/**
 * A stand-in `rg` for hosts without ripgrep: grep does the searching, and it
 * exits as rg does (1 when nothing matched, 2 with a message on a bad pattern).
 */
const FAKE_RG = `#!/bin/bash
pattern=""; path="."
while [ $# -gt 0 ]; do
  case "$1" in
    -e) pattern="$2"; shift 2 ;;
    --glob|--color|--max-columns) shift 2 ;;
    --) path="$2"; shift 2 ;;
    *) shift ;;
  esac
done
if [ "$pattern" = "(" ]; then printf 'regex parse error:\\n    (\\n    ^\\nerror: unclosed group\\n' >&2; exit 2; fi
exec grep -rnE -- "$pattern" "$path"
`;

/** A sandbox that runs commands with bash on the host, in `dir`, with the fake rg first on the PATH. */
function hostSandbox(dir: string): Sandbox {
  const bin = tempDir('bin');
  writeFileSync(join(bin, 'rg'), FAKE_RG);
  chmodSync(join(bin, 'rg'), 0o755);
  return {
    id: 'host',
    workspaceDir: dir,
    async exec(command: string): Promise<ExecResult> {
      const run = spawnSync('bash', ['--norc', '--noprofile', '-c', command], {
        cwd: dir,
        env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir },
        encoding: 'utf8',
      });
      return {
        exitCode: run.status,
        stdout: run.stdout,
        stderr: run.stderr,
        truncated: false,
        timedOut: false,
        oomKilled: false,
        durationMs: 5,
      };
    },
    async destroy() {},
  };
}

function contextOf(workspace: Workspace | null, sandbox: Sandbox | null): ToolContext {
  return {
    role: 'coder',
    workspace: workspace ?? ({} as Workspace),
    sandbox: sandbox ?? ({} as Sandbox),
    emit: () => undefined,
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
  };
}

async function textOf(tool: ToolDefinition, args: unknown, ctx: ToolContext): Promise<string> {
  const outcome = await tool.run(tool.schema.parse(args), ctx);
  if (outcome.kind !== 'text') throw new Error('expected a text outcome');
  return outcome.text;
}

describe('search', () => {
  it('lists matches as file:line:text', async () => {
    const dir = tempDir('search-hit');
    writeFileSync(join(dir, 'a.txt'), 'alpha\nbeta\n');
    const ctx = contextOf(null, hostSandbox(dir));
    expect(await textOf(searchTool, { pattern: 'beta' }, ctx)).toEqual('a.txt:2:beta');
  });

  it('says "no matches" and what to check, never an empty string', async () => {
    const dir = tempDir('search-miss');
    writeFileSync(join(dir, 'a.txt'), 'alpha\n');
    const ctx = contextOf(null, hostSandbox(dir));
    expect(await textOf(searchTool, { pattern: 'Gamma', glob: '*.txt' }, ctx)).toEqual(
      'no matches for "Gamma" in the workspace (files matching *.txt). The pattern is a case-sensitive regular expression: start it with (?i) to ignore case, and escape ( ) [ ] { } . * + ? | \\ to match them literally; hidden and .gitignored files are not searched.',
    );
  });

  it("returns ripgrep's error for a bad regular expression", async () => {
    const ctx = contextOf(null, hostSandbox(tempDir('search-bad')));
    expect(await textOf(searchTool, { pattern: '(' }, ctx)).toEqual(
      'Error: regex parse error:\n    (\n    ^\nerror: unclosed group',
    );
  });

  it('caps the matches and says how to narrow the search', async () => {
    const dir = tempDir('search-many');
    writeFileSync(join(dir, 'many.txt'), Array.from({ length: 500 }, (_, i) => `hit ${i}`).join('\n'));
    const lines = (await textOf(searchTool, { pattern: 'hit' }, contextOf(null, hostSandbox(dir)))).split('\n');
    expect(lines).toHaveLength(201);
    expect(lines.at(-1)).toEqual('… more matches; narrow the search with path or glob');
  });
});

describe('shell', () => {
  it('tells a model whose command timed out what to try instead', async () => {
    const sandbox: Sandbox = {
      id: 'fake',
      workspaceDir: '/',
      exec: async () => ({
        exitCode: null,
        stdout: 'listening on :3000\n',
        stderr: '',
        truncated: false,
        timedOut: true,
        oomKilled: false,
        durationMs: 120_000,
      }),
      destroy: async () => undefined,
    };
    const result = JSON.parse(
      await textOf(shellTool, { command: 'npm start', timeout_ms: 120_000 }, contextOf(null, sandbox)),
    ) as Record<string, unknown>;
    expect(result).toMatchObject({ exit_code: null, stdout: 'listening on :3000\n', timed_out: true });
    expect(result.hint).toEqual(
      "The command was killed after 120 s (timeout_ms 120000). Do not run it again unchanged. If it waited for input, make it non-interactive (flags like --yes or --no-watch, CI=1, < /dev/null). If it is a server or a watcher, start it in the background within one command and stop it there (cmd > /tmp/cmd.log 2>&1 & sleep 5; curl -s localhost:8080; kill %1): nothing started by one shell call is sure to outlive it. If it is a long build or test run, narrow it (one test file, one package, a filter) or raise timeout_ms (at most 3600000; the job's own time limit still applies).",
    );
  });
});

describe('write_file and edit_file', () => {
  it('show the changed lines with context and line numbers', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const ws = await workspaceOf('edit-tool', { 'notes.txt': `${lines.join('\n')}\n` });
    const ctx = contextOf(ws, null);
    expect(await textOf(editFileTool, { path: 'notes.txt', old: 'line 6\n', new: 'line six\n' }, ctx)).toEqual(
      [
        'ok: edited notes.txt; line 6 changed (the file has 12 lines):',
        '    2\tline 2',
        '    3\tline 3',
        '    4\tline 4',
        '    5\tline 5',
        '    6\tline six',
        '    7\tline 7',
        '    8\tline 8',
        '    9\tline 9',
        '   10\tline 10',
      ].join('\n'),
    );
    expect(await textOf(writeFileTool, { path: 'src/new.js', content: 'export {};\n' }, ctx)).toEqual(
      'ok: created src/new.js (1 lines, 11 bytes):\n    1\texport {};',
    );
    expect(await textOf(writeFileTool, { path: 'notes.txt', content: 'only\n' }, ctx)).toEqual(
      'ok: wrote notes.txt (1 lines, 5 bytes); line 1 changed:\n    1\tonly',
    );
  });
});

describe('apply_patch', () => {
  it('applies the *** Begin Patch format and says which files changed', async () => {
    const ws = await workspaceOf('patch-tool', { 'a.txt': 'one\ntwo\n' });
    const patch = '*** Begin Patch\n*** Update File: a.txt\n-two\n+2\n*** End Patch\n';
    expect(await textOf(applyPatchTool, { patch }, contextOf(ws, null))).toEqual('ok: patch applied to a.txt');
  });

  it('says that nothing changed when a hunk of that format does not apply', async () => {
    const ws = await workspaceOf('patch-tool-reject', { 'a.txt': 'one\ntwo\n' });
    const patch = '*** Begin Patch\n*** Update File: a.txt\n-three\n+3\n*** End Patch\n';
    const reply = await textOf(applyPatchTool, { patch }, contextOf(ws, null));
    expect(reply.split('\n').slice(0, 3)).toEqual([
      "Error: the patch was not applied; no file was changed. Correct these hunks (copy context lines exactly from the file's actual lines) and send the patch again:",
      '',
      'a.txt, hunk 1 did not apply: its context and removed lines are not in the file as written.',
    ]);
  });
});

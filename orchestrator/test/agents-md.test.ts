import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentsMd } from '../src/agents-md/index.ts';
import { newTaskCache } from '../src/graph/deps.ts';
import { agentsMdAt } from '../src/graph/trees.ts';

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('loadAgentsMd', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-agents-md-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('loads the root file only when cwd is the root', async () => {
    write(root, { 'AGENTS.md': 'Run npm test.\n', 'src/AGENTS.md': 'deeper\n' });
    expect(await loadAgentsMd({ repoRoot: root })).toEqual({
      text: '<!-- AGENTS.md from ./ -->\nRun npm test.\n',
      files: ['AGENTS.md'],
      truncated: false,
    });
  });

  it('concatenates root first, one file per directory, override winning, empty files skipped', async () => {
    write(root, {
      'AGENTS.md': 'root rules\n',
      'src/AGENTS.md': 'src rules (shadowed)\n',
      'src/AGENTS.override.md': 'src override\n',
      'src/api/AGENTS.md': '   \n',
      'src/api/v1/AGENTS.md': 'v1 rules\n',
      'other/AGENTS.md': 'not on the path\n',
    });
    expect(await loadAgentsMd({ repoRoot: root, cwd: 'src/api/v1' })).toEqual({
      text: [
        '<!-- AGENTS.md from ./ -->\nroot rules\n',
        '<!-- AGENTS.override.md from src/ -->\nsrc override\n',
        '<!-- AGENTS.md from src/api/v1/ -->\nv1 rules\n',
      ].join('\n'),
      files: ['AGENTS.md', 'src/AGENTS.override.md', 'src/api/v1/AGENTS.md'],
      truncated: false,
    });
  });

  it('falls back to AGENTS.md when the override is empty', async () => {
    write(root, { 'AGENTS.override.md': '', 'AGENTS.md': 'plain\n' });
    expect((await loadAgentsMd({ repoRoot: root, cwd: './' })).files).toEqual(['AGENTS.md']);
  });

  it('truncates the tail to the byte budget with a marker', async () => {
    write(root, { 'AGENTS.md': `${'a'.repeat(100)}\n`, 'src/AGENTS.md': `${'é'.repeat(200)}\n` });
    const result = await loadAgentsMd({ repoRoot: root, cwd: 'src', budgetBytes: 256 });
    // 158 bytes of headers and root text, then 21 two-byte characters (never half of one), then the marker.
    expect(result).toEqual({
      text: `<!-- AGENTS.md from ./ -->\n${'a'.repeat(100)}\n\n<!-- AGENTS.md from src/ -->\n${'é'.repeat(21)}\n<!-- AGENTS.md truncated: over the 256-byte budget -->\n`,
      files: ['AGENTS.md', 'src/AGENTS.md'],
      truncated: true,
    });
    expect(Buffer.byteLength(result.text)).toEqual(256);
  });

  it('gives empty text for a repo without AGENTS.md and rejects a cwd outside the repo', async () => {
    expect(await loadAgentsMd({ repoRoot: root, cwd: 'src' })).toEqual({ text: '', files: [], truncated: false });
    await expect(loadAgentsMd({ repoRoot: root, cwd: '../elsewhere' })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_WORKSPACE',
    });
  });

  it('uses an injected reader', async () => {
    const files: Record<string, string> = { 'AGENTS.md': 'virtual\n' };
    const result = await loadAgentsMd({ repoRoot: '/nowhere', readFile: async (rel) => files[rel] });
    expect(result).toEqual({ text: '<!-- AGENTS.md from ./ -->\nvirtual\n', files: ['AGENTS.md'], truncated: false });
  });

  it('loads from a commit, ignoring later working-tree edits', async () => {
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      }).trim();
    git('init', '--quiet');
    write(root, {
      'AGENTS.md': 'committed root\n',
      'pkg/AGENTS.override.md': 'committed override\n',
      'pkg/AGENTS.md': 'x\n',
    });
    git('add', '-A');
    git('commit', '--quiet', '-m', 'base');
    const commit = git('rev-parse', 'HEAD');
    write(root, { 'AGENTS.md': 'edited later\n' });
    const result = await agentsMdAt({ cache: newTaskCache() }, root, commit, 'pkg');
    expect(result).toEqual({
      text: '<!-- AGENTS.md from ./ -->\ncommitted root\n\n<!-- AGENTS.override.md from pkg/ -->\ncommitted override\n',
      files: ['AGENTS.md', 'pkg/AGENTS.override.md'],
      truncated: false,
    });
    expect(await agentsMdAt({ cache: newTaskCache() }, root, commit, 'no/such/dir')).toEqual({
      text: '<!-- AGENTS.md from ./ -->\ncommitted root\n',
      files: ['AGENTS.md'],
      truncated: false,
    });
  });
});

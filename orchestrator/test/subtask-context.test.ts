import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Subtask } from '@codecrew/core';
import { agentsMdDirsOf, globDirs } from '../src/agents-md/index.ts';
import { agentsMdAt } from '../src/graph/trees.ts';
import { newTaskCache } from '../src/graph/deps.ts';
import { coderRepoContext } from '../src/graph/repo-context.ts';

const FILES: Record<string, string> = {
  'AGENTS.md': 'Root: run `npm test`.\n',
  'src/index.js': 'export {};\n',
  'src/api/AGENTS.md': 'API: every handler validates its input with zod.\n',
  'src/api/users.js': 'export const users = [];\n',
  'src/ui/AGENTS.md': 'UI: no inline styles.\n',
  'src/ui/button.js': 'export const button = 1;\n',
  'docs/guide.md': '# guide\n',
};

const subtask = (files: string[]): Subtask => ({
  id: 'api',
  title: 'API',
  description: 'change the API',
  files,
  depends_on: [],
});

describe("a subtask's AGENTS.md files", () => {
  let root: string;
  let commit: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'codecrew-subtask-context-'));
    for (const [path, content] of Object.entries(FILES)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    };
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', env }).trim();
    git('init', '--quiet');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'base');
    commit = git('rev-parse', 'HEAD');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('are the root file and those down to the directories its globs point into, deeper last', async () => {
    const result = await agentsMdAt({ cache: newTaskCache() }, root, commit, ['src/api']);
    expect(result).toEqual({
      text: [
        '<!-- AGENTS.md from ./ -->\nRoot: run `npm test`.\n',
        '<!-- AGENTS.md from src/api/ -->\nAPI: every handler validates its input with zod.\n',
      ].join('\n'),
      files: ['AGENTS.md', 'src/api/AGENTS.md'],
      truncated: false,
    });
  });

  it('go into the coder job of a subtask, with a map of the tree and the test command', async () => {
    const context = await coderRepoContext(
      { cache: newTaskCache() },
      root,
      commit,
      subtask(['src/api/**', 'src/ui/button.js']),
      'npm test',
    );
    expect(context.agentsMdFiles).toEqual(['AGENTS.md', 'src/api/AGENTS.md', 'src/ui/AGENTS.md']);
    expect(context.agentsMd).toContain('API: every handler validates its input with zod.');
    expect(context.testCommand).toEqual('npm test');
    expect(context.repoMap).toEqual(
      [
        'docs/',
        '  guide.md',
        'src/',
        '  api/',
        '    AGENTS.md',
        '    users.js',
        '  ui/',
        '    AGENTS.md',
        '    button.js',
        '  index.js',
        'AGENTS.md',
      ].join('\n'),
    );
    const rootOnly = await coderRepoContext({ cache: newTaskCache() }, root, commit, subtask(['**/*.md']), null);
    expect(rootOnly.agentsMdFiles).toEqual(['AGENTS.md']);
  });
});

describe('globDirs', () => {
  it('takes each glob up to its first wildcard; a plain path is a file unless the tree has files below it', () => {
    const files = ['src/api/users.js', 'lib/util.js'];
    expect(
      globDirs(['src/api/**/*.ts', 'src/*.js', '**/*.py', 'lib', 'lib/util.js', 'README.md', 'pkg/*/src/**'], files),
    ).toEqual(['.', 'lib', 'pkg', 'src', 'src/api']);
    expect(globDirs(['../escape/**', '/etc/*'])).toEqual(['.']);
  });
});

describe('agentsMdDirsOf', () => {
  it('lists every directory on the way to each, once, shallower first', () => {
    expect(agentsMdDirsOf(['src/api/v1', 'lib', 'src/ui'])).toEqual([
      '',
      'lib/',
      'src/',
      'src/api/',
      'src/ui/',
      'src/api/v1/',
    ]);
    expect(agentsMdDirsOf([])).toEqual(['']);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@localhost',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@localhost',
};

/** A fresh temp dir whose name says which test made it. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `codecrew-sandbox-${name.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 40)}-`));
}

/** Commits `files` to a new repository and returns `git archive --format=tar HEAD` of it. */
export function gitArchive(name: string, files: Record<string, string | Buffer>): Buffer {
  const repo = tempDir(`${name}-repo`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  const run = (...args: string[]): Buffer =>
    execFileSync('git', args, { cwd: repo, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
  run('init', '--quiet');
  run('add', '-A');
  run('commit', '--quiet', '-m', 'start');
  const tar = run('archive', '--format=tar', 'HEAD');
  rmSync(repo, { recursive: true, force: true });
  return tar;
}

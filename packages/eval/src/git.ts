import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CodecrewError } from '@codecrew/core';

const run = promisify(execFile);
const IDENTITY = ['-c', 'user.name=codecrew-eval', '-c', 'user.email=eval@localhost', '-c', 'commit.gpgsign=false'];

/** Runs git with a fixed identity; throws GIT_FAILED with git's stderr. */
export async function git(cwd: string, args: string[], input?: string): Promise<string> {
  try {
    if (input === undefined) {
      const { stdout } = await run('git', [...IDENTITY, ...args], { cwd, maxBuffer: 256 * 1024 * 1024 });
      return stdout;
    }
    return await new Promise<string>((done, fail) => {
      const child = execFile('git', [...IDENTITY, ...args], { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout) =>
        error ? fail(error) : done(stdout),
      );
      child.stdin?.end(input);
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new CodecrewError('GIT_FAILED', `git ${args.join(' ')} failed: ${String(stderr).trim()}`);
  }
}

/** The tree of `commit` in `repo` as a tar, for a sandbox workspace. */
export async function archive(repo: string, commit: string): Promise<Uint8Array> {
  const { stdout } = await run('git', ['-C', repo, 'archive', '--format=tar', commit], {
    encoding: 'buffer',
    maxBuffer: 1024 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Clones `source` (a repository directory, a bundle or a URL) into `dir`, checked out detached at
 * `commit`. Throws REPO_CLONE_FAILED when it cannot be cloned or lacks the commit.
 */
export async function cloneAt(source: string, commit: string, dir: string): Promise<void> {
  try {
    await run('git', ['clone', '-q', '--no-checkout', source, dir], { maxBuffer: 64 * 1024 * 1024 });
    await run('git', ['-C', dir, 'checkout', '-q', '--detach', commit]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new CodecrewError('REPO_CLONE_FAILED', `cannot clone ${source} at ${commit}: ${String(stderr).trim()}`);
  }
}

/** Applies a unified diff to the working tree of `repo`; returns git's complaint, or null when it applied. */
export async function applyPatch(repo: string, patch: string): Promise<string | null> {
  if (patch.trim() === '') return null;
  try {
    await git(repo, ['apply', '--whitespace=nowarn', '-'], patch.endsWith('\n') ? patch : `${patch}\n`);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Commits the whole working tree of `repo` and returns the commit id. */
export async function commitAll(repo: string, message: string): Promise<string> {
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '--allow-empty', '--no-verify', '-m', message]);
  return (await git(repo, ['rev-parse', 'HEAD'])).trim();
}

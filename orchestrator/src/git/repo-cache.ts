import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CodecrewError, parseRepoUrl, redactUrlCredentials, type RepoUrl } from '@codecrew/core';
import { isEmptyTree, type UserRepo } from './open.ts';
import { GitRepo } from './repo.ts';

/**
 * What a fetch brings into a cached clone: the remote's branches under `refs/remotes/origin/`,
 * its HEAD as `refs/remotes/origin/HEAD`, and its tags. Result branches codecrew publishes live
 * under `refs/heads/`, which no fetch touches (nor prunes).
 */
const FETCH_REFSPECS = [
  '+HEAD:refs/remotes/origin/HEAD',
  '+refs/heads/*:refs/remotes/origin/*',
  '+refs/tags/*:refs/tags/*',
];
/** How often a task waiting for another process's lock on a cached clone looks again. */
const LOCK_POLL_MS = 100;
/** How long a task waits for another process's lock on a cached clone before giving up. */
const LOCK_WAIT_MS = 30 * 60_000;

/** A URL, checked; throws SPEC_INVALID when codecrew does not accept it. */
export function checkedRepoUrl(url: string): RepoUrl {
  const parsed = parseRepoUrl(url);
  if ('problem' in parsed) {
    throw new CodecrewError('SPEC_INVALID', `repo.url ${redactUrlCredentials(url)} ${parsed.problem}`, {
      details: { issues: [{ path: 'spec.repo.url', message: parsed.problem }] },
    });
  }
  return parsed;
}

/**
 * The directory of the cached clone of `url` under the data directory: `<dataDir>/repos/<hash>`,
 * the hash of the URL without credentials, so that every token for one repository shares a clone.
 */
export function repoCacheDir(dataDir: string, url: string): string {
  const key = createHash('sha256').update(checkedRepoUrl(url).identity).digest('hex').slice(0, 24);
  return join(resolve(dataDir), 'repos', key);
}

/** How {@link syncRepoCache} went: a new clone, or an existing one brought up to date. */
export interface RepoCacheSync {
  dir: string;
  cloned: boolean;
}

/** Callers in this process that hold or wait for a cache directory, by directory. */
const held = new Map<string, Promise<unknown>>();

/**
 * Clones `url` into the cache directory `dir` (a bare repository made in a temporary directory and
 * renamed into place, so that a failed clone leaves nothing behind), or fetches into it when it is
 * there already. Concurrent calls for one directory run one at a time, in this process and across
 * processes (a lock directory beside it). Throws REPO_CLONE_FAILED or REPO_FETCH_FAILED with git's
 * message, credentials removed.
 */
export async function syncRepoCache(url: string, dir: string): Promise<RepoCacheSync> {
  const checked = checkedRepoUrl(url);
  const abs = resolve(dir);
  const previous = held.get(abs) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => withLockDir(`${abs}.lock`, () => syncLocked(checked, abs)));
  held.set(abs, run);
  try {
    return await run;
  } finally {
    if (held.get(abs) === run) held.delete(abs);
  }
}

async function syncLocked(url: RepoUrl, dir: string): Promise<RepoCacheSync> {
  if (existsSync(join(dir, 'HEAD'))) {
    await fetchInto(new GitRepo(dir), url, 'REPO_FETCH_FAILED', dir);
    return { dir, cloned: false };
  }
  await removeLeftovers(dir);
  const temp = `${dir}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(temp, { recursive: true });
    const repo = new GitRepo(temp);
    await repo.run(['init', '--quiet', '--bare']);
    // The cache is shared by tasks that borrow its objects: it must never repack or prune on its own.
    await repo.run(['config', 'gc.auto', '0']);
    await repo.run(['config', 'maintenance.auto', 'false']);
    await repo.run(['config', 'codecrew.url', url.redacted]);
    await fetchInto(repo, url, 'REPO_CLONE_FAILED', dir);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
    return { dir, cloned: true };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Removes the temporary directories of clones a killed process left beside `dir` (its lock is held). */
async function removeLeftovers(dir: string): Promise<void> {
  const prefix = `${basename(dir)}.tmp-`;
  const names = await readdir(dirname(dir)).catch(() => []);
  for (const name of names)
    if (name.startsWith(prefix)) await rm(join(dirname(dir), name), { recursive: true, force: true });
}

/**
 * A remote that stops answering fails the clone or fetch instead of holding the task (and, in a server,
 * the request that submitted it) for ever: HTTP transfers slower than 1 KiB/s for 60 s are dropped, and
 * ssh never prompts, gives up connecting after 30 s and drops a silent server after a minute. A user's
 * own GIT_SSH_COMMAND is kept.
 */
const STALL_LIMITS: NodeJS.ProcessEnv = {
  GIT_HTTP_LOW_SPEED_LIMIT: '1024',
  GIT_HTTP_LOW_SPEED_TIME: '60',
  GIT_SSH_COMMAND:
    process.env['GIT_SSH_COMMAND'] ??
    'ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=4',
};

/** Fetches the remote's refs; the URL is given on the command line each time, so no credential is stored. */
async function fetchInto(
  repo: GitRepo,
  url: RepoUrl,
  code: 'REPO_CLONE_FAILED' | 'REPO_FETCH_FAILED',
  dir: string,
): Promise<void> {
  const args = ['fetch', '--quiet', '--prune', '--no-write-fetch-head', '--', url.url, ...FETCH_REFSPECS];
  const redact = (text: string) => redactUrlCredentials(text.split(url.url).join(url.redacted));
  const result = await repo.run(args, { allowExitCodes: [1, 128], env: STALL_LIMITS }).catch((error: unknown) => ({
    code: -1,
    stderr: error instanceof Error ? error.message : String(error),
  }));
  if (result.code === 0) return;
  const said = redact(result.stderr).trim();
  const action = code === 'REPO_CLONE_FAILED' ? 'could not clone' : 'could not fetch';
  throw new CodecrewError(
    code,
    `${action} ${url.redacted}: ${said || `git exited with ${result.code}`}; check the URL, that the repository exists and has a HEAD, and that this machine may read it`,
    { details: { url: url.redacted, cacheDir: dir, exitCode: result.code, stderr: said } },
  );
}

/** Runs `work` while holding the lock directory `lock` (made with mkdir, which only one process can). */
async function withLockDir<T>(lock: string, work: () => Promise<T>): Promise<T> {
  await mkdir(resolve(lock, '..'), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await holderIsGone(lock)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new CodecrewError(
          'REPO_FETCH_FAILED',
          `the cached clone is locked by another process (${lock}); if no codecrew process is using it, remove that directory`,
          { details: { lock } },
        );
      }
      await sleep(LOCK_POLL_MS);
    }
  }
  try {
    await writeFile(join(lock, 'pid'), `${process.pid}\n`);
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Whether the process that made `lock` has ended (a lock left by a killed process is taken over). */
async function holderIsGone(lock: string): Promise<boolean> {
  const text = await readFile(join(lock, 'pid'), 'utf8').catch(() => null);
  // No pid yet: its maker is between mkdir and writing it.
  if (text === null) return false;
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Opens the cached clone at `dir` and resolves `ref` (default HEAD) the way the remote names it:
 * HEAD is the remote's HEAD, a branch name is the remote's branch, and tags and commit ids are
 * looked up as they are. REPO_INVALID when the clone is missing or the ref names no commit.
 */
export async function openCachedRepo(dir: string, ref: string, url: string): Promise<UserRepo> {
  const root = resolve(dir);
  if (!existsSync(join(root, 'HEAD'))) {
    throw new CodecrewError(
      'REPO_INVALID',
      `the cached clone of ${url} (${root}) is missing; submit or run the task again to clone it`,
      { details: { url, cacheDir: root } },
    );
  }
  if (ref.startsWith('-')) {
    throw new CodecrewError('REPO_INVALID', `ref '${ref}' does not name a commit of ${url}`, { details: { ref, url } });
  }
  const repo = new GitRepo(root);
  const candidates =
    ref === 'HEAD'
      ? ['refs/remotes/origin/HEAD']
      : ref.startsWith('refs/heads/')
        ? [`refs/remotes/origin/${ref.slice('refs/heads/'.length)}`]
        : [`refs/remotes/origin/${ref}`, ref];
  for (const candidate of candidates) {
    const answer = await repo.run(['rev-parse', `${candidate}^{commit}`, `${candidate}^{tree}`], {
      allowExitCodes: [1, 128],
    });
    const [commit = '', tree = ''] = answer.stdout.split('\n');
    if (answer.code === 0 && /^[0-9a-f]{40,64}$/.test(commit)) {
      return { repo, root, commonDir: root, baseCommit: commit, emptyTree: isEmptyTree(tree), ref };
    }
  }
  throw new CodecrewError(
    'REPO_INVALID',
    `ref '${ref}' does not name a branch, tag or commit of ${url}; use one the remote has (see \`git ls-remote\`)`,
    { details: { ref, url, cacheDir: root } },
  );
}

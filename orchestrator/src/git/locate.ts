import { lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Variables that change where git looks for a repository: with any set, git itself is asked. */
const DISCOVERY_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM'];

/** A checkout found the way git finds it: its top directory and its `.git` directory. */
export interface LocatedCheckout {
  root: string;
  gitDir: string;
}

const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** What git checks before it takes a directory for a git directory: a HEAD, objects and refs. */
const looksLikeGitDir = (dir: string): boolean =>
  statSync(join(dir, 'HEAD'), { throwIfNoEntry: false })?.isFile() === true && isDirectory(join(dir, 'objects')) && isDirectory(join(dir, 'refs'));

/**
 * The checkout that contains `path`, found without starting git, in the
 * common case only: the nearest directory at or above `path` (on the same
 * file system) with a `.git` directory. Null whenever git could see it
 * otherwise — a `.git` file (a linked worktree, a submodule), a bare
 * repository on the way, a variable that moves git's search, a missing
 * path — and the caller asks git (`openUserRepo`).
 */
export function locateCheckout(path: string, env: NodeJS.ProcessEnv = process.env): LocatedCheckout | null {
  if (DISCOVERY_ENV.some((name) => env[name] !== undefined)) return null;
  let dir: string;
  try {
    dir = realpathSync(resolve(path));
  } catch {
    return null;
  }
  if (!isDirectory(dir)) return null;
  const device = statSync(dir).dev;
  for (;;) {
    const dotGit = lstatSync(join(dir, '.git'), { throwIfNoEntry: false });
    // A `.git` that is not a git directory is passed over by git, which goes on looking further up.
    if (dotGit !== undefined) return dotGit.isDirectory() && looksLikeGitDir(join(dir, '.git')) ? { root: dir, gitDir: join(dir, '.git') } : null;
    // A bare repository (or a git directory itself) is taken by git before it looks further up.
    if (looksLikeGitDir(dir)) return null;
    const parent = dirname(dir);
    if (parent === dir || statSync(parent).dev !== device) return null;
    dir = parent;
  }
}

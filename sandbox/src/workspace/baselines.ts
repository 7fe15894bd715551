import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, runGit } from './git.ts';

const IDENTITY = ['-c', 'user.name=codecrew', '-c', 'user.email=codecrew@localhost', '-c', 'commit.gpgsign=false'];

interface Baseline {
  dir: string;
  commit: string;
  /** The work tree the baseline was recorded from: its index's file stats are that tree's. */
  recordedFrom: string;
  users: number;
  usedAt: number;
}

/**
 * Baseline commits shared by the workspaces of one tree. The first workspace
 * of a tree records its files once (git add and commit, into a template git
 * dir); every workspace of that tree then gets a git dir that borrows the
 * template's objects and copies its index: no git process at all. Eight
 * coders starting from one tree record it once instead of eight times.
 */
export class BaselineCache {
  private readonly baselines = new Map<string, Promise<Baseline>>();

  /** `dir` holds the templates; at most `keep` unused ones are kept. */
  constructor(
    private readonly dir: string,
    private readonly keep = 8,
  ) {}

  /**
   * Gives `gitDir` a baseline commit of the tree `key` names, recording it from
   * `workTree` when this cache has none yet; returns the release to call once
   * the workspace is gone.
   */
  async attach(key: string, workTree: string, gitDir: string): Promise<() => Promise<void>> {
    let entry = this.baselines.get(key);
    if (entry === undefined) {
      entry = this.record(key, workTree);
      entry.catch(() => this.baselines.delete(key));
      this.baselines.set(key, entry);
    }
    const baseline = await entry;
    baseline.users += 1;
    baseline.usedAt = Date.now();
    try {
      await mkdir(join(gitDir, 'objects', 'info'), { recursive: true });
      await mkdir(join(gitDir, 'refs'), { recursive: true });
      await Promise.all([
        writeFile(join(gitDir, 'objects', 'info', 'alternates'), `${join(baseline.dir, 'objects')}\n`),
        writeFile(join(gitDir, 'HEAD'), `${baseline.commit}\n`),
        copyFile(join(baseline.dir, 'config'), join(gitDir, 'config')),
        copyFile(join(baseline.dir, 'index'), join(gitDir, 'index')),
      ]);
      // The copied index holds the recording tree's file stats; refresh them for this tree now, during
      // setup, or the first `git add` at the end of the job would hash every file again.
      if (workTree !== baseline.recordedFrom) {
        await runGit([`--git-dir=${gitDir}`, `--work-tree=${workTree}`, 'update-index', '-q', '--refresh'], {
          cwd: workTree,
        });
      }
    } catch (error) {
      baseline.users -= 1;
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      baseline.users -= 1;
      await this.trim();
    };
  }

  /** Removes every template; only once no workspace uses them. */
  async close(): Promise<void> {
    const all = await Promise.allSettled([...this.baselines.values()]);
    this.baselines.clear();
    await Promise.all(
      all.map((r) => (r.status === 'fulfilled' ? rm(r.value.dir, { recursive: true, force: true }) : undefined)),
    );
  }

  private async record(key: string, workTree: string): Promise<Baseline> {
    const dir = join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 24));
    await rm(dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
    await git(['init', '--quiet', '--bare', '--template=', dir], { cwd: this.dir });
    const args = [`--git-dir=${dir}`, `--work-tree=${workTree}`];
    // -f: files the archive holds are tracked even if a .gitignore matches them.
    await git([...args, 'add', '-A', '-f'], { cwd: workTree });
    await git([...args, ...IDENTITY, 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'baseline'], {
      cwd: workTree,
    });
    return { dir, commit: await headCommit(dir), recordedFrom: workTree, users: 0, usedAt: Date.now() };
  }

  /** Drops the least recently used templates no workspace uses, beyond `keep`. */
  private async trim(): Promise<void> {
    const settled = await Promise.all(
      [...this.baselines.entries()].map(async ([key, entry]) => [key, await entry.catch(() => null)] as const),
    );
    const idle = settled.filter((pair): pair is readonly [string, Baseline] => pair[1] !== null && pair[1].users === 0);
    idle.sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key, baseline] of idle.slice(0, Math.max(0, settled.length - this.keep))) {
      this.baselines.delete(key);
      await rm(baseline.dir, { recursive: true, force: true });
    }
  }
}

/** The commit HEAD points at, read from the files of a fresh repository. */
async function headCommit(gitDir: string): Promise<string> {
  const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
  if (!head.startsWith('ref: ')) return head;
  return (await readFile(join(gitDir, head.slice(5)), 'utf8')).trim();
}

import { PathSet, commitChain, treeChanges, type ChainChange, type ChainStep, type GitRepo } from '../git/index.ts';
import type { PatchCandidate } from './state.ts';

/**
 * The merge train's fast lane. A candidate whose changed paths nobody else
 * changed since its merge base merges to exactly its own changes on top of the
 * integration tree: git's 3-way merge would find nothing to combine. Such
 * candidates are queued and committed together, one commit each, in one git
 * process; any other candidate flushes the queue and takes git's merge.
 */
export class FastLane {
  private pending: Array<ChainStep & { landed: (commit: string) => void }> = [];
  private pendingPaths: string[] = [];
  /** For each merge base asked about: the paths changed since it, up to the queued merges. */
  private readonly changed = new Map<string, PathSet>();

  /** `head` is the integration commit the lane starts from. */
  constructor(
    private readonly repo: GitRepo,
    private head: string,
  ) {}

  /** Whether `candidate` can merge without git's merge: it was landed, and its paths are untouched since its base. */
  async accepts(candidate: PatchCandidate): Promise<boolean> {
    if (candidate.kind === 'resolve' || candidate.changes === undefined) return false;
    const changed = await this.changedSince(candidate.mergeBase);
    return !candidate.changes.some((change) => changed.overlaps(change.path));
  }

  /**
   * Queues an accepted candidate's `changes` (with their bytes when the
   * repository lacks those blobs); `landed` hears its merge commit when the
   * queue is flushed.
   */
  add(changes: ChainChange[], message: string, landed: (commit: string) => void): void {
    this.pending.push({ changes, message, landed });
    const paths = changes.map((change) => change.path);
    this.pendingPaths.push(...paths);
    for (const set of this.changed.values()) set.addAll(paths);
  }

  /** Commits the queued merges and returns the new integration commit. */
  async flush(): Promise<string> {
    if (this.pending.length === 0) return this.head;
    const steps = this.pending;
    this.pending = [];
    this.pendingPaths = [];
    const commits = await commitChain(this.repo, this.head, steps);
    steps.forEach((step, index) => step.landed(commits[index] as string));
    this.head = commits[commits.length - 1] as string;
    return this.head;
  }

  /** The integration moved by a merge outside the lane (call after `flush`). */
  moved(head: string): void {
    this.head = head;
    this.changed.clear();
  }

  private async changedSince(base: string): Promise<PathSet> {
    let set = this.changed.get(base);
    if (set === undefined) {
      const paths =
        base === this.head ? [] : (await treeChanges(this.repo, base, this.head)).map((change) => change.path);
      set = new PathSet([...paths, ...this.pendingPaths]);
      this.changed.set(base, set);
    }
    return set;
  }
}

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { INLINE_ARTIFACT_MAX_BYTES, whenHostQuiet, type ArtifactRef } from '@codecrew/core';
import { GitRepo, archiveTree, createScratchRepo, diffCommits, hasUncommittedChanges, hunkProvenance, overlayTar, preparePublish, readTarFiles, snapshotUserRepo, stageObjects, validateBranchName, type ChainChange, type DiffFile, type PreparedPublish, type TarFiles, type UserRepo } from '../git/index.ts';
import type { GraphDeps } from './deps.ts';
import type { HunkOrigin, TaskStateValue } from './state.ts';

/**
 * Work a later node needs, started as soon as its inputs are known so that it
 * runs while the crew waits on a model; the node then awaits the same promise.
 * Each piece runs once per key in a task run; a failed one is forgotten, so
 * the node that needs it tries again and reports the error.
 */
export function remember<T>(deps: GraphDeps, key: string, make: () => Promise<T>): Promise<T> {
  let entry = deps.memo.get(key) as Promise<T> | undefined;
  if (entry === undefined) {
    entry = make();
    entry.catch(() => deps.memo.delete(key));
    deps.memo.set(key, entry);
  }
  return entry;
}

type RepoState = Pick<TaskStateValue, 'task' | 'scratchDir'>;

const PUBLISH_KEY = 'publish:';

/** Where the task works from: the user's repository resolved, and the scratch repository made beside the output. */
export interface RepoSnapshot {
  user: UserRepo;
  scratchDir: string;
}

/**
 * prepare's git work, which needs nothing but the task: the repository and
 * ref resolved, the scratch repository made and the base tree's archive
 * started. The task run starts it before it opens its checkpoints, and
 * prepare awaits it.
 */
export function repoSnapshot(deps: GraphDeps, task: TaskStateValue['task']): Promise<RepoSnapshot> {
  return remember(deps, 'snapshot', async () => {
    const scratchDir = join(task.outDir, 'scratch.git');
    // One git process resolves the ref and makes the base tree's archive; the scratch repository makes it when that one will not do.
    const [{ user, archive }] = await Promise.all([snapshotUserRepo(task.repoPath, task.ref ?? undefined), mkdir(task.outDir, { recursive: true })]);
    await createScratchRepo(user.commonDir, scratchDir);
    knownTreeTar(deps, { scratchDir }, user.baseCommit, Promise.resolve(archive));
    void treeTar(deps, { scratchDir }, user.baseCommit).catch(() => undefined);
    return { user, scratchDir };
  });
}

/** The tree of `commit` as a tar archive, made once per task and commit. */
export function treeTar(deps: GraphDeps, state: Pick<TaskStateValue, 'scratchDir'>, commit: string): Promise<Buffer> {
  return remember(deps, `tar:${commit}`, () => archiveTree(new GitRepo(state.scratchDir), commit));
}

/**
 * The archive of `start`'s tree with `changes` made, built from `start`'s
 * archive without git (see `overlayTar`); null when that archive is not at
 * hand or a change cannot be written this way.
 */
export function overlayArchive(deps: GraphDeps, start: string, changes: ChainChange[]): Promise<Buffer | null> {
  const base = deps.memo.get(`tar:${start}`) as Promise<Buffer> | undefined;
  if (base === undefined) return Promise.resolve(null);
  return base.then((tar) => overlayTar(tar, changes)).catch(() => null);
}

/** Makes `built` the archive of `commit` (git archive makes it when `built` gives null). */
export function knownTreeTar(deps: GraphDeps, state: Pick<TaskStateValue, 'scratchDir'>, commit: string, built: Promise<Buffer | null>): void {
  void remember(deps, `tar:${commit}`, async () => (await built) ?? archiveTree(new GitRepo(state.scratchDir), commit)).catch(() => undefined);
}

const treeName = (state: RepoState, commit: string) => `tasks/${state.task.taskId}/trees/${commit}.tar`;

/**
 * The artifact holding the tree of `commit`, uploaded once per task and
 * commit as a shared artifact: the coders of a wave (and the standby tester)
 * all start from it, and a worker fetches it once, not once per job.
 */
export function treeArtifact(deps: GraphDeps, state: RepoState, commit: string): Promise<ArtifactRef> {
  const name = treeName(state, commit);
  return remember(deps, name, async () => deps.bus.putArtifact(name, await treeTar(deps, state, commit), { shared: true }));
}

/**
 * The tree of `commit` for a job that reads it alone, at a moment the task
 * waits for (the planner, the asker): carried in the job itself when small,
 * which spares the store's round trips; otherwise the shared artifact.
 */
export function soloTreeArtifact(deps: GraphDeps, state: RepoState, commit: string): Promise<ArtifactRef> {
  const name = treeName(state, commit);
  return remember(deps, `${name}#solo`, async () => {
    const tar = await treeTar(deps, state, commit);
    return tar.length <= INLINE_ARTIFACT_MAX_BYTES ? deps.bus.putArtifact(name, tar) : treeArtifact(deps, state, commit);
  });
}

/** The files of the base commit, read from its archive (which the planner's job carries anyway). */
export function baseFiles(deps: GraphDeps, state: Pick<TaskStateValue, 'scratchDir' | 'baseCommit'>): Promise<TarFiles> {
  return remember(deps, `files:${state.baseCommit}`, async () => readTarFiles(await treeTar(deps, state, state.baseCommit)));
}

/** Whether the user's working tree has uncommitted changes (which the task ignores); told in finalize. */
export function uncommittedChanges(deps: GraphDeps, repoRoot: string): Promise<boolean> {
  return remember(deps, `uncommitted:${repoRoot}`, () => hasUncommittedChanges(repoRoot));
}

/** The task's output branch name checked against the user's repository: in prepare, so a bad name fails before any work. */
export function branchNameChecked(deps: GraphDeps, repoRoot: string, branch: string): Promise<void> {
  return remember(deps, `branch-name:${branch}`, () => validateBranchName(repoRoot, branch));
}

/** The diff from the base to `commit`: what review reads and finalize writes. */
export function changeDiff(deps: GraphDeps, state: Pick<TaskStateValue, 'scratchDir' | 'baseCommit'>, commit: string): Promise<{ patch: string; files: DiffFile[] }> {
  return remember(deps, `diff:${state.baseCommit}..${commit}`, () => diffCommits(new GitRepo(state.scratchDir), state.baseCommit, commit));
}

/** The diff from the base to `commit` as an artifact, for the reviewer. */
export function diffArtifact(deps: GraphDeps, state: RepoState & Pick<TaskStateValue, 'baseCommit' | 'round'>, commit: string): Promise<ArtifactRef> {
  const name = `tasks/${state.task.taskId}/diffs/review-r${state.round}.diff`;
  return remember(deps, `${name}@${commit}`, async () => deps.bus.putArtifact(name, Buffer.from((await changeDiff(deps, state, commit)).patch)));
}

/** The objects of `commit` copied into the user's repository, ready for the branch that finalize creates. */
export function stagedObjects(deps: GraphDeps, state: Pick<TaskStateValue, 'scratchDir' | 'repoRoot' | 'baseCommit'>, commit: string): Promise<void> {
  return remember(deps, `staged:${commit}`, () => stageObjects(new GitRepo(state.scratchDir), state.repoRoot, commit, state.baseCommit));
}

/**
 * The output branch's commit and ref update for `commit`'s tree, started
 * before the review's verdict (and so the commit message) is known; a
 * prepared publish for another tree (an earlier round's) is cancelled. Every
 * one left is cancelled when the task run ends.
 */
export function publishAhead(deps: GraphDeps, state: Pick<TaskStateValue, 'task' | 'scratchDir' | 'repoRoot' | 'baseCommit'>, commit: string): Promise<PreparedPublish> {
  const key = `${PUBLISH_KEY}${commit}`;
  const known = deps.memo.get(key) as Promise<PreparedPublish> | undefined;
  if (known !== undefined) return known;
  for (const [other, entry] of deps.memo) {
    if (!other.startsWith(PUBLISH_KEY)) continue;
    deps.memo.delete(other);
    void (entry as Promise<PreparedPublish>).then((stale) => stale.cancel());
  }
  const prepared = preparePublish({
    staged: stagedObjects(deps, state, commit),
    nameChecked: branchNameChecked(deps, state.repoRoot, state.task.branch),
    scratch: new GitRepo(state.scratchDir),
    userRepoRoot: state.repoRoot,
    base: state.baseCommit,
    tree: commit,
    branch: state.task.branch,
  });
  deps.atEnd.push(() => prepared.cancel());
  return remember(deps, key, () => Promise.resolve(prepared));
}

/** Every hunk of the diff from the base to the integration, with the subtasks and jobs that wrote it. */
export function provenance(deps: GraphDeps, state: TaskStateValue): Promise<HunkOrigin[]> {
  const { integration } = state;
  return remember(deps, `provenance:${integration}`, async () => {
    const byCommit = new Map(state.merges.filter((m) => m.commit !== undefined).map((m) => [m.commit as string, m]));
    const { patch } = await changeDiff(deps, state, integration);
    const hunks = await hunkProvenance(new GitRepo(state.scratchDir), state.baseCommit, integration, patch);
    return hunks.map((hunk) => {
      const merges = hunk.commits.map((commit) => byCommit.get(commit)).filter((m) => m !== undefined);
      return {
        file: hunk.file,
        hunk: hunk.hunk,
        subtasks: [...new Set(merges.map((m) => m.subtaskId))],
        jobs: [...new Set(merges.map((m) => m.jobId))],
        inferred: hunk.inferred,
      };
    });
  });
}

/** How long work ahead may wait for a quiet moment when the node that needs it comes after a model call. */
export const AHEAD_BEHIND_MODEL_MS = 2_000;

/**
 * Starts work ahead without waiting for it, at the next quiet moment of the
 * agent worker in this process (when its jobs wait on models; at once when
 * there is none), or after `maxWaitMs` at most: work started the moment a
 * job is sent would slow down that job's start. Each piece goes through
 * `remember`, so a node that needs it sooner starts it itself, and the
 * later start finds it done. Its errors surface in the node that awaits it.
 */
export function startAhead(maxWaitMs: number, ...work: Array<() => Promise<unknown>>): void {
  whenHostQuiet(() => {
    for (const piece of work) piece().catch(() => undefined);
  }, maxWaitMs);
}

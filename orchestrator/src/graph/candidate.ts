import { decodeFileSet, type FileSetEntry } from '@codecrew/core';
import { GitRepo, commitPatch, treeChanges, type ChainChange } from '../git/index.ts';
import type { GraphDeps } from './deps.ts';
import type { PatchCandidate } from './state.ts';

/** The changed files a coder sent with its patch (bytes checked against their blob ids), or null when it sent none. */
export async function candidateFiles(deps: GraphDeps, candidate: PatchCandidate): Promise<FileSetEntry[] | null> {
  const ref = candidate.files;
  if (!ref) return null;
  return deps.cache.fileSets.get(ref.name, async () => decodeFileSet(await deps.bus.getArtifact(ref)));
}

/**
 * Works out what a candidate changes relative to its merge base as soon as
 * its job ends, while other coders are still at work, so that the merge
 * train only has to merge: from the changed files the coder sent, or else by
 * committing its patch onto its start commit. A resolver's work always takes
 * git's merge. A failure here is left for the merge train, which commits the
 * patch itself and reports what goes wrong.
 */
export async function landCandidate(
  deps: GraphDeps,
  scratchDir: string,
  candidate: PatchCandidate,
  commit?: string,
): Promise<PatchCandidate> {
  if (candidate.patch === null || candidate.kind === 'resolve')
    return commit === undefined ? candidate : { ...candidate, commit };
  try {
    const files = commit === undefined ? await candidateFiles(deps, candidate) : null;
    if (files !== null) return { ...candidate, changes: files.map(({ path, mode, blob }) => ({ path, mode, blob })) };
    const repo = new GitRepo(scratchDir);
    const patch = Buffer.from(await deps.bus.getArtifact(candidate.patch)).toString('utf8');
    const landed =
      commit ??
      (await commitPatch(repo, candidate.startCommit, patch, `codecrew: ${candidate.subtaskId} (${candidate.kind})`));
    return { ...candidate, commit: landed, changes: await treeChanges(repo, candidate.mergeBase, landed) };
  } catch {
    return commit === undefined ? candidate : { ...candidate, commit };
  }
}

/** A fast-lane candidate's changes, with the bytes of the files its coder sent (the scratch repository lacks those blobs). */
export async function laneChanges(deps: GraphDeps, candidate: PatchCandidate): Promise<ChainChange[]> {
  const files = candidate.commit === undefined ? await candidateFiles(deps, candidate) : null;
  if (files === null) return candidate.changes ?? [];
  return files;
}

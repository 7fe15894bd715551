export { GitRepo, DEFAULT_IDENTITY, identityEnv } from './repo.ts';
export type { GitResult, GitRunOptions } from './repo.ts';
export { openUserRepo, createScratchRepo, hasUncommittedChanges, isEmptyTree } from './open.ts';
export type { UserRepo } from './open.ts';
export { archiveTree, commitPatch, commitTree, diffCommits, listTreeFiles } from './tree.ts';
export type { CommitDiff, DiffFile } from './tree.ts';
export { mergeInto, parseMergeTreeOutput } from './merge.ts';
export type { MergeOutcome, MergeConflict } from './merge.ts';
export {
  branchCommit,
  publishBranch,
  requireBranchAt,
  requireBranchName,
  stageObjects,
  validateBranchName,
} from './publish.ts';
export { hunkProvenance, parseHunks } from './provenance.ts';
export type { DiffHunk, HunkProvenance } from './provenance.ts';
export type { PublishOptions } from './publish.ts';
export { treeChanges, PathSet } from './changes.ts';
export type { TreeChange } from './changes.ts';
export { commitChain } from './fast-commit.ts';
export type { ChainChange, ChainStep } from './fast-commit.ts';
export { readFilesAt } from './blobs.ts';
export { pushBranch, pushTarget } from './push.ts';

import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ArtifactRef, Job, JobOutput, ModelPrice, Usage } from '@codecrew/core';
import type { ToolContext } from './tool.ts';

/** What a role's runner gets. */
export interface RoleRunInput {
  job: Job;
  /** The chat model; null for roles that need none (the tester). */
  model: BaseChatModel | null;
  tools: ToolContext;
  /** The artifact store, for patches, logs and diffs too big for a message. */
  artifacts: {
    put(name: string, data: Uint8Array): Promise<ArtifactRef>;
    get(ref: ArtifactRef): Promise<Uint8Array>;
  };
  price?: ModelPrice;
}

/** What a role's runner returns. */
export interface RoleRunOutput {
  output: JobOutput;
  usage: Usage;
  steps: number;
}

/** One role's job logic. */
export type RoleRun = (input: RoleRunInput) => Promise<RoleRunOutput>;

/** The model of a role that needs one; a clear error when it is missing. */
export function requireModel(input: RoleRunInput): BaseChatModel {
  if (input.model === null) throw new Error(`the ${input.job.role} role needs a model`);
  return input.model;
}

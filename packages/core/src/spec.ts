import { z } from 'zod';
import { branchNameProblem } from './ref-format.ts';
import { Plan } from './plan.ts';
import { RoleModel } from './model.ts';
import { repoUrlProblem } from './repo-url.ts';

const durationPattern = /^\d+(\.\d+)?\s*(ms|s|m|h)$/;
const sizePattern = /^\d+(\.\d+)?\s*[bkmgBKMG]?i?[bB]?$/;

/** A duration such as `30s`, `15m`, `1h`, or a number of milliseconds. */
export const Duration = z.union([
  z.number().int().positive(),
  z.string().regex(durationPattern, 'a duration such as 500ms, 30s, 15m or 1h'),
]);

/** A size such as `512m` or `2g`, or a number of bytes. */
export const Size = z.union([z.number().int().positive(), z.string().regex(sizePattern, 'a size such as 512m or 2g')]);

/** Per-role models (a name, or a name with settings); `default` applies to every role not named. */
export const ModelSelection = z
  .object({
    default: RoleModel.optional(),
    planner: RoleModel.optional(),
    coder: RoleModel.optional(),
    tester: RoleModel.optional(),
    reviewer: RoleModel.optional(),
    asker: RoleModel.optional(),
  })
  .strict();
export type ModelSelection = z.infer<typeof ModelSelection>;

/**
 * A branch name git can create: `git check-ref-format --branch` rules and the
 * length limits of git's ref files, checked without running git. (The default,
 * `codecrew/<metadata.name>`, always passes: the name pattern allows nothing git refuses.)
 */
export const BranchName = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = branchNameProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `not a branch name git can create: it ${problem}` });
  });

/** Sandbox settings a task may override. */
export const SandboxSpec = z
  .object({
    image: z.string().min(1).optional(),
    cpus: z.number().positive().max(64).optional(),
    memory: Size.optional(),
    timeout: Duration.optional(),
    commandTimeout: Duration.optional(),
  })
  .strict();
export type SandboxSpec = z.infer<typeof SandboxSpec>;

/** A git URL a task may name as its repository (see {@link repoUrlProblem} for what is accepted). */
export const RepoUrlText = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = repoUrlProblem(value);
    if (problem !== null)
      ctx.addIssue({ code: 'custom', message: `not a repository URL codecrew accepts: it ${problem}` });
  })
  .meta({
    description:
      'A git URL (https://, http://, ssh://, git://, file:// or user@host:path), cloned into <dataDir>/repos; the result branch is committed in that clone',
  });

/**
 * The repository of a task: a local checkout (`path`) or a git URL (`url`, cloned into the
 * data directory's cache), exactly one of them, and the ref to work from (default HEAD).
 */
export const RepoSpec = z
  .object({
    path: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A local git checkout; the result branch is created in it' }),
    url: RepoUrlText.optional(),
    ref: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((repo, ctx) => {
    if ((repo.path === undefined) === (repo.url === undefined)) {
      // Neither: reported at `path`, the field most tasks use; both: at `url`.
      ctx.addIssue({
        code: 'custom',
        message: 'name exactly one of repo.path (a local checkout) and repo.url (a git URL)',
        path: repo.path === undefined ? ['path'] : ['url'],
      });
    }
  })
  .meta({ oneOf: [{ required: ['path'] }, { required: ['url'] }] });
export type RepoSpec = z.infer<typeof RepoSpec>;

/**
 * What makes a task the follow-up of an earlier one: it starts from the earlier task's result
 * commit (`repo.ref`), the planner is told what that task did, and its result is committed on the
 * same branch (`output.branch`), which must still point at that commit. A revision also names its
 * plan: the user's review comments, each given to the subtask that wrote the line.
 */
export const FollowupSpec = z
  .object({
    parent: z.string().min(1).meta({ description: 'The id of the task this one continues' }),
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full commit id')
      .meta({ description: "The parent's result commit: the branch must still point at it when this task publishes" }),
    context: z
      .string()
      .default('')
      .meta({ description: 'What the parent did (plan, subtasks, review), given to the planner' }),
    plan: Plan.optional().meta({
      description: 'A fixed plan: no planner runs, and each subtask gets a fix job with its description',
    }),
  })
  .strict();
export type FollowupSpec = z.infer<typeof FollowupSpec>;

/** Where the result branch is pushed after it is created: a remote of the repository, or a git URL. */
export const PushSpec = z
  .object({
    remote: z
      .string()
      .min(1)
      .regex(/^[^-\s]\S*$/, 'a remote name or a git URL, with no white space and not starting with -')
      .meta({
        description:
          'A remote of the target repository (e.g. origin) or a git URL; for a repo.url task, origin is the task URL',
      }),
  })
  .strict();
export type PushSpec = z.infer<typeof PushSpec>;

/** A GitHub pull request opened (or updated, when one with the same head branch is open) for the result branch. */
export const PullRequestSpec = z
  .object({
    github: z
      .string()
      .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'owner/repo')
      .meta({ description: 'The GitHub repository, owner/repo' }),
    base: z.string().min(1).default('main'),
    draft: z.boolean().default(false),
    /** The title; default the task name and the first line of its prompt. */
    title: z.string().min(1).max(256).optional(),
  })
  .strict();
export type PullRequestSpec = z.infer<typeof PullRequestSpec>;

/**
 * `spec.plan`: whether a person approves the plan before any coder runs. With `approval: required`
 * the task waits in `awaiting_approval` after a valid plan, spending nothing, until the plan is
 * approved, edited or rejected; past `timeout` (counted from when the wait began) it does what
 * `onTimeout` says.
 */
export const PlanApprovalSpec = z
  .object({
    approval: z
      .enum(['required', 'none'])
      .default('none')
      .meta({ description: 'required: wait for a person to approve, edit or reject the plan before coding' }),
    timeout: Duration.optional().meta({ description: 'How long to wait for a decision; no limit when absent' }),
    onTimeout: z.enum(['approve', 'cancel']).default('cancel').meta({
      description: 'What a wait that reaches its timeout does: approve the plan as it is, or cancel the task',
    }),
    decompose: z.boolean().optional().meta({
      description:
        'Default true. false: no planner; the whole task is one subtask (id s1, any file) for a single coder, as a solo agent works',
    }),
  })
  .strict();
export type PlanApprovalSpec = z.infer<typeof PlanApprovalSpec>;

/** The `spec` part of a task: what to do, where, and within which limits. */
export const TaskSpecBody = z
  .object({
    repo: RepoSpec,
    mode: z.enum(['code', 'ask']).default('code'),
    prompt: z.string().min(1, 'a non-empty prompt'),
    models: ModelSelection.optional(),
    parallelism: z.number().int().min(1).max(64).optional(),
    attempts: z.number().int().min(1).max(8).optional(),
    test: z
      .object({ command: z.string().min(1) })
      .strict()
      .optional(),
    sandbox: SandboxSpec.optional(),
    budget: z
      .object({
        maxTokens: z.number().int().positive().optional(),
        maxCostUsd: z.number().positive().optional(),
        maxDuration: Duration.optional(),
        maxSteps: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    review: z
      .object({ maxRounds: z.number().int().min(0).max(10).optional() })
      .strict()
      .optional(),
    output: z
      .object({
        branch: BranchName.optional(),
        patch: z.string().min(1).optional(),
        dir: z.string().min(1).optional(),
        push: PushSpec.optional(),
        pullRequest: PullRequestSpec.optional(),
      })
      .strict()
      .optional(),
    followup: FollowupSpec.optional(),
    plan: PlanApprovalSpec.optional(),
  })
  .strict();
export type TaskSpecBody = z.infer<typeof TaskSpecBody>;

/** A task spec file (`apiVersion: codecrew/v1`, `kind: Task`). */
export const TaskSpec = z
  .object({
    apiVersion: z.literal('codecrew/v1'),
    kind: z.literal('Task'),
    metadata: z
      .object({
        name: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes, at most 63 characters'),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: TaskSpecBody,
  })
  .strict();
export type TaskSpec = z.infer<typeof TaskSpec>;

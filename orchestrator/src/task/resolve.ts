import { isAbsolute, resolve } from 'node:path';
import {
  CodecrewError,
  ROLES,
  catalogEntryFor,
  isScriptedModel,
  modelChoiceOf,
  newId,
  parseDuration,
  parseSize,
  type Config,
  type ModelRef,
  type PullRequestSpec,
  type PushSpec,
  type Role,
  type RoleModel,
  type FollowupSpec,
  type SandboxLimits,
  type TaskSpec,
} from '@codecrew/core';
import { checkedRepoUrl, repoCacheDir } from '../git/repo-cache.ts';

/** Prefix of model names that stand for a scripted model server: `scripted:path/to/script.yaml`. */
export const SCRIPTED_PREFIX = 'scripted:';

/** A task with every default filled in and every unit resolved; what the orchestrator runs. */
export interface ResolvedTask {
  taskId: string;
  name: string;
  mode: 'code' | 'ask';
  prompt: string;
  /** The repository's directory: the user's checkout, or for a `repo.url` task the cached clone under the data directory. */
  repoPath: string;
  /** A `repo.url` task's URL with its credentials removed (what reports and events show); null for `repo.path`. */
  repoUrl: string | null;
  ref: string | null;
  models: Record<Role, ModelRef>;
  parallelism: number;
  attempts: number;
  maxSteps: number;
  reviewRounds: number;
  testCommand: string | null;
  sandbox: SandboxLimits;
  jobTimeoutMs: number;
  budget: { maxTokens: number | null; maxCostUsd: number | null; maxDurationMs: number | null };
  branch: string;
  patchPath: string | null;
  outDir: string;
  /** `spec.plan`: whether the plan waits for a person's decision, for how long, and what the end of the wait does. */
  planApproval: { required: boolean; timeoutMs: number | null; onTimeout: 'approve' | 'cancel' };
  /** `spec.plan.decompose`: false skips the planner, the whole task being one subtask for one coder. */
  decompose: boolean;
  /** Where the result branch is pushed once created; null: it is not pushed. */
  push: PushSpec | null;
  /** The GitHub pull request opened or updated for the result branch; null: none. */
  pullRequest: PullRequestSpec | null;
  /** Set when the task continues an earlier one: its result goes on `branch`, which must still be at `followup.commit`. */
  followup: FollowupSpec | null;
}

/** The roles that call a model, by task mode (the tester only runs the test command). */
const MODEL_ROLES: Record<'code' | 'ask', readonly Role[]> = {
  code: ['planner', 'coder', 'reviewer'],
  ask: ['asker'],
};

/** A role's model as a job carries it: name and settings, the endpoint, and the catalog's price and context window. */
function resolveModel(model: RoleModel, config: Config, baseDir: string): ModelRef {
  const { name, ...tuning } = modelChoiceOf(model);
  if (name.startsWith(SCRIPTED_PREFIX)) {
    const script = name.slice(SCRIPTED_PREFIX.length);
    return { name: `${SCRIPTED_PREFIX}${isAbsolute(script) ? script : resolve(baseDir, script)}`, ...tuning };
  }
  const ref: ModelRef = { name, apiKeyEnv: config.models.endpoint.apiKeyEnv, ...tuning };
  if (config.models.endpoint.baseURL !== undefined) ref.baseURL = config.models.endpoint.baseURL;
  const known = catalogEntryFor(config.models.catalog, name)?.entry;
  if (known?.price !== undefined) ref.price = known.price;
  if (known?.contextWindow !== undefined) ref.contextWindow = known.contextWindow;
  return ref;
}

/**
 * A cost budget needs a price for every model that may spend it: refuses a task
 * with `budget.maxCostUsd` whose real (not scripted) models have none, naming
 * the setting that gives one.
 */
function requirePrices(models: Record<Role, ModelRef>, mode: 'code' | 'ask', maxCostUsd: number | undefined): void {
  if (maxCostUsd === undefined) return;
  const unpriced = new Map<string, Role[]>();
  for (const role of MODEL_ROLES[mode]) {
    const ref = models[role];
    if (ref.price !== undefined || isScriptedModel(ref.name)) continue;
    unpriced.set(ref.name, [...(unpriced.get(ref.name) ?? []), role]);
  }
  const [first] = unpriced;
  if (first === undefined) return;
  const [name, roles] = first;
  const others = [...unpriced.keys()].slice(1);
  throw new CodecrewError(
    'MODEL_PRICE_UNKNOWN',
    `budget.maxCostUsd needs the price of every model, and codecrew knows none for "${name}" (${roles.join(', ')})` +
      (others.length > 0 ? ` nor for ${others.map((other) => `"${other}"`).join(', ')}` : '') +
      `: set models.catalog.${name}.price {inputPerMillion, cachedInputPerMillion, outputPerMillion} in codecrew.yaml, or drop budget.maxCostUsd`,
    { details: { model: name, roles, unpriced: [...unpriced.keys()], configKey: `models.catalog.${name}.price` } },
  );
}

/** Where a task's repository is: the checkout `repo.path` names, or the cached clone of `repo.url`. */
function repoOf(
  repo: TaskSpec['spec']['repo'],
  dataDir: string,
  specDir: string,
): Pick<ResolvedTask, 'repoPath' | 'repoUrl'> {
  if (repo.url !== undefined) {
    return { repoPath: repoCacheDir(dataDir, repo.url), repoUrl: checkedRepoUrl(repo.url).redacted };
  }
  if (repo.path === undefined) {
    throw new CodecrewError(
      'SPEC_INVALID',
      'name exactly one of repo.path (a local checkout) and repo.url (a git URL)',
    );
  }
  return { repoPath: resolve(specDir, repo.path), repoUrl: null };
}

/**
 * Fills in a task spec from the configuration. Relative paths in the spec are
 * resolved against `specDir`; a `repo.url` resolves to its clone cache directory
 * (`<dataDir>/repos/<hash>`, cloned or fetched by `preflightTask`); `modelOverride` (the CLI's --model) applies to
 * every role, replacing its settings too. A role's model is taken whole from the
 * first place that names it (--model, `spec.models.<role>`, `spec.models.default`,
 * the configuration's `models.<role>`, then `models.default`). Throws
 * MODEL_PRICE_UNKNOWN when `budget.maxCostUsd` is set and a model has no price.
 */
export function resolveTask(
  spec: TaskSpec,
  config: Config,
  opts: { specDir: string; taskId?: string; modelOverride?: string; cwd?: string },
): ResolvedTask {
  const body = spec.spec;
  const taskId = opts.taskId ?? newId('t');
  const models = {} as Record<Role, ModelRef>;
  for (const role of ROLES) {
    const fromConfig = config.models[role] ?? config.models.default;
    const model = opts.modelOverride ?? body.models?.[role] ?? body.models?.default ?? fromConfig;
    const baseDir = opts.modelOverride !== undefined ? (opts.cwd ?? process.cwd()) : opts.specDir;
    models[role] = resolveModel(model, config, baseDir);
  }
  requirePrices(models, body.mode, body.budget?.maxCostUsd);
  const sandbox = config.sandbox;
  const override = body.sandbox ?? {};
  return {
    taskId,
    name: spec.metadata.name,
    mode: body.mode,
    prompt: body.prompt,
    ...repoOf(body.repo, config.dataDir, opts.specDir),
    ref: body.repo.ref ?? null,
    models,
    parallelism: body.parallelism ?? config.defaults.parallelism,
    attempts: body.attempts ?? config.defaults.attempts,
    maxSteps: body.budget?.maxSteps ?? config.defaults.maxSteps,
    reviewRounds: body.review?.maxRounds ?? config.defaults.reviewRounds,
    testCommand: body.test?.command ?? null,
    sandbox: {
      image: override.image ?? sandbox.image,
      cpus: override.cpus ?? sandbox.cpus,
      memoryBytes: parseSize(override.memory ?? sandbox.memory),
      pids: sandbox.pids,
      tmpBytes: parseSize(sandbox.tmpSize),
      commandTimeoutMs: parseDuration(override.commandTimeout ?? sandbox.commandTimeout),
      maxOutputBytes: parseSize(sandbox.maxOutput),
    },
    jobTimeoutMs: parseDuration(override.timeout ?? config.defaults.jobTimeout),
    budget: {
      maxTokens: body.budget?.maxTokens ?? null,
      maxCostUsd: body.budget?.maxCostUsd ?? null,
      maxDurationMs: body.budget?.maxDuration === undefined ? null : parseDuration(body.budget.maxDuration),
    },
    branch: body.output?.branch ?? `codecrew/${spec.metadata.name}`,
    patchPath: body.output?.patch === undefined ? null : resolve(opts.specDir, body.output.patch),
    outDir:
      body.output?.dir === undefined
        ? resolve(config.dataDir, 'tasks', taskId)
        : resolve(opts.specDir, body.output.dir, taskId),
    planApproval: {
      // Ask mode has no plan to approve.
      required: body.mode === 'code' && body.plan?.approval === 'required',
      timeoutMs: body.plan?.timeout === undefined ? null : parseDuration(body.plan.timeout),
      onTimeout: body.plan?.onTimeout ?? 'cancel',
    },
    decompose: body.plan?.decompose ?? true,
    push: body.output?.push ?? null,
    pullRequest: body.output?.pullRequest ?? null,
    followup: body.followup ?? null,
  };
}

import { z } from 'zod';

/** Reasoning effort levels of OpenAI's reasoning models (which levels a model takes depends on the model). */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const ReasoningEffort = z.enum(REASONING_EFFORTS);
export type ReasoningEffort = z.infer<typeof ReasoningEffort>;

/**
 * Which OpenAI API a model is called through: `chat` (Chat Completions, every
 * OpenAI-compatible server) or `responses` (OpenAI's Responses API, which
 * carries a reasoning model's reasoning from one turn to the next).
 */
export const ModelApi = z.enum(['chat', 'responses']);
export type ModelApi = z.infer<typeof ModelApi>;

/** How a role's model is called, beside its name; every field is optional. */
export const ModelTuning = z
  .object({
    temperature: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .describe('Sampling temperature, 0 to 2; OpenAI reasoning models (o-series, gpt-5) take none'),
    reasoningEffort: ReasoningEffort.optional().describe(
      'Reasoning effort: reasoning_effort (Chat Completions) or reasoning.effort (Responses API)',
    ),
    maxOutputTokens: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Cap on the tokens of each reply, reasoning included'),
    api: ModelApi.optional().describe(
      'chat (Chat Completions, any OpenAI-compatible server) or responses (OpenAI Responses API; keeps reasoning between turns)',
    ),
    strictTools: z
      .boolean()
      .optional()
      .describe(
        'Send tool schemas with strict: true; unset: on for api.openai.com and scripted servers, off elsewhere',
      ),
    extraBody: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Merged into the body of every request, last, e.g. {chat_template_kwargs: {enable_thinking: false}}'),
  })
  .strict();
export type ModelTuning = z.infer<typeof ModelTuning>;

/** A role's model with its settings. */
export const ModelChoice = z.object({ name: z.string().min(1), ...ModelTuning.shape }).strict();
export type ModelChoice = z.infer<typeof ModelChoice>;

const ROLE_MODEL_SHAPE =
  'a model name, or a mapping {name, temperature, reasoningEffort, maxOutputTokens, api, strictTools, extraBody}';

/** A role's model: a bare name (`gpt-4.1`) or a name with settings (`{name: o3, reasoningEffort: high}`). */
export const RoleModel = z.union([z.string().min(1), ModelChoice], {
  // A mapping that fails on a setting's value: say which setting, not only that neither form fits.
  error: (issue) => {
    if (issue.code !== 'invalid_union' || typeof issue.input !== 'object' || issue.input === null)
      return ROLE_MODEL_SHAPE;
    const settingIssues = issue.errors[1] ?? [];
    if (settingIssues.length === 0) return ROLE_MODEL_SHAPE;
    return settingIssues
      .map((inner) => `${inner.path.map(String).join('.') || '(mapping)'}: ${inner.message}`)
      .join('; ');
  },
});
export type RoleModel = z.infer<typeof RoleModel>;

/** The name and settings of a role's model, whichever way it was written. */
export function modelChoiceOf(model: RoleModel): ModelChoice {
  return typeof model === 'string' ? { name: model } : model;
}

/** Price of a model in USD per million tokens; cached input costs `inputPerMillion` when its own price is not given. */
export const ModelPrice = z
  .object({
    inputPerMillion: z.number().nonnegative(),
    cachedInputPerMillion: z.number().nonnegative().optional(),
    outputPerMillion: z.number().nonnegative(),
  })
  .strict();
export type ModelPrice = z.infer<typeof ModelPrice>;

/**
 * What codecrew knows about one model: its price (for cost accounting and
 * `budget.maxCostUsd`) and its context window in tokens (prompt and reply
 * together; without it, OpenAI's documented window for OpenAI models, else 32768).
 */
export const ModelCatalogEntry = z
  .object({
    price: ModelPrice.optional(),
    contextWindow: z.number().int().min(1024).optional(),
  })
  .strict();
export type ModelCatalogEntry = z.infer<typeof ModelCatalogEntry>;

/** Known models by name (`models.catalog` in the configuration). */
export const ModelCatalog = z.record(z.string().min(1), ModelCatalogEntry);
export type ModelCatalog = z.infer<typeof ModelCatalog>;

/** True when a model name asks for the scripted model: `scripted`, or `scripted:`/`scripted-` followed by anything. */
export function isScriptedModel(name: string): boolean {
  return /^scripted($|[:/_-])/.test(name);
}

const DATED_SNAPSHOT = /^(.+)-\d{4}-\d{2}-\d{2}$/;

/**
 * The catalog entry of a model: its own name first, else, for a dated
 * snapshot (`gpt-4o-2024-08-06`), the name without the date (`gpt-4o`).
 *
 * @example
 * catalogEntryFor(catalog, 'gpt-4o-mini-2024-07-18'); // { key: 'gpt-4o-mini', entry: {...} }
 */
export function catalogEntryFor(
  catalog: ModelCatalog,
  name: string,
): { key: string; entry: ModelCatalogEntry } | undefined {
  const own = Object.hasOwn(catalog, name) ? catalog[name] : undefined;
  if (own !== undefined) return { key: name, entry: own };
  const base = DATED_SNAPSHOT.exec(name)?.[1];
  if (base === undefined || !Object.hasOwn(catalog, base)) return undefined;
  const entry = catalog[base];
  return entry === undefined ? undefined : { key: base, entry };
}

/** The price of a model from the catalog (dated snapshots priced as their model), if it has one. */
export function priceFor(catalog: ModelCatalog, name: string): ModelPrice | undefined {
  return catalogEntryFor(catalog, name)?.entry.price;
}

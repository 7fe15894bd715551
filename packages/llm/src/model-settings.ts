import type { ModelRef } from '@codecrew/core';
import { isScriptedEndpoint, isScriptedModel } from './scripted-endpoints.ts';

/** What codecrew's model settings become in `ChatOpenAI`'s fields. */
export interface ChatOpenAISettings {
  temperature?: number;
  maxTokens?: number;
  useResponsesApi: boolean;
  /** Responses API: `store: false`, so reasoning travels as encrypted content instead of stored items. */
  zdrEnabled: boolean;
  /** `strict: true` on every tool; absent: no `strict` key at all, which every server accepts. */
  supportsStrictToolCalling?: true;
  /** Merged into the request body last. */
  modelKwargs: Record<string, unknown>;
}

/**
 * OpenAI's reasoning models by name (o1, o3, o4-mini, gpt-5 but not gpt-5-chat), as LangChain
 * recognises them: these take `max_completion_tokens` and a developer message instead of a system one.
 */
export function isOpenAIReasoningModel(name: string): boolean {
  return /^o\d/.test(name) || (name.startsWith('gpt-5') && !name.startsWith('gpt-5-chat'));
}

/**
 * Whether tool schemas go out with `strict: true` when the model's settings do not say:
 * on for OpenAI's own API and scripted servers, which enforce it, off for other
 * servers, many of which refuse or ignore the flag.
 */
export function strictToolsByDefault(baseURL: string, modelName: string): boolean {
  if (isScriptedModel(modelName) || isScriptedEndpoint(baseURL)) return true;
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `extra` over `base`: mappings are merged key by key, anything else replaces. */
export function mergeBody(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeBody(current, value) : value;
  }
  return out;
}

/**
 * Turns a job's model settings into `ChatOpenAI` fields. Reasoning effort goes
 * into the body as the API names it (`reasoning_effort` for Chat Completions,
 * `reasoning.effort` for the Responses API) whatever the model's name, so that a
 * reasoning model served under another name (vLLM, a proxy) gets it too. With
 * `api: responses` nothing is stored at OpenAI (`store: false`) and a reasoning
 * model's reasoning comes back encrypted, to be sent again with the next turn.
 * `extraBody` is merged last and wins.
 */
export function chatOpenAISettings(model: ModelRef, baseURL: string): ChatOpenAISettings {
  const responses = model.api === 'responses';
  let body: Record<string, unknown> = {};
  if (model.reasoningEffort !== undefined) {
    body = responses ? { reasoning: { effort: model.reasoningEffort } } : { reasoning_effort: model.reasoningEffort };
  }
  if (responses && (model.reasoningEffort !== undefined || isOpenAIReasoningModel(model.name))) {
    body.include = ['reasoning.encrypted_content'];
  }
  const settings: ChatOpenAISettings = {
    useResponsesApi: responses,
    zdrEnabled: responses,
    modelKwargs: mergeBody(body, model.extraBody ?? {}),
  };
  if (model.strictTools ?? strictToolsByDefault(baseURL, model.name)) settings.supportsStrictToolCalling = true;
  if (model.temperature !== undefined) settings.temperature = model.temperature;
  if (model.maxOutputTokens !== undefined) settings.maxTokens = model.maxOutputTokens;
  return settings;
}

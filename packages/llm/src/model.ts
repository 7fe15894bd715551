import { ChatOpenAI } from '@langchain/openai';
import { CodecrewError, type ModelRef, type Role } from '@codecrew/core';
import { chatOpenAISettings } from './model-settings.ts';
import { retryingFetch, type ModelRetry } from './retry-fetch.ts';
import { isScriptedEndpoint, isScriptedModel } from './scripted-endpoints.ts';

/** Who is calling the model; sent as `x-codecrew-*` headers on every request. */
export interface ModelCallContext {
  taskId: string;
  jobId: string;
  role: Role;
  subtaskId?: string;
  /** The job's attempt number (best-of-N); sent as `x-codecrew-attempt`. */
  attempt?: number;
  /**
   * Which delivery of the job this is (1 first, 2 after its worker was lost, ...); sent as
   * `x-codecrew-delivery`. A job delivered again is a new conversation.
   */
  delivery?: number;
}

export interface CreateChatModelOptions {
  model: ModelRef;
  context: ModelCallContext;
  /** Retries of 429 and 5xx answers and failed connections; default 2. */
  maxRetries?: number;
  /** Time limit of one call, retries included. */
  timeoutMs?: number;
  streaming?: boolean;
  /** Where keys and `OPENAI_BASE_URL` are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Hears every retry of a request, before its wait. */
  onRetry?: (retry: ModelRetry) => void;
}

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Sent as the key to scripted servers, which ignore it. */
const SCRIPTED_PLACEHOLDER_KEY = 'scripted-model-needs-no-key';

/** The `x-codecrew-*` headers that identify a caller to a proxy or the scripted server. */
export function codecrewHeaders(context: ModelCallContext): Record<string, string> {
  const headers: Record<string, string> = {
    'x-codecrew-task': context.taskId,
    'x-codecrew-job': context.jobId,
    'x-codecrew-agent': context.role,
  };
  if (context.subtaskId !== undefined) headers['x-codecrew-subtask'] = context.subtaskId;
  if (context.attempt !== undefined) headers['x-codecrew-attempt'] = String(context.attempt);
  if (context.delivery !== undefined) headers['x-codecrew-delivery'] = String(context.delivery);
  return headers;
}

/**
 * Creates the `ChatOpenAI` an agent talks to: any OpenAI-compatible endpoint,
 * with codecrew's headers and retries, and the model's settings (temperature,
 * reasoning effort, output cap, Chat Completions or Responses API, strict tool
 * schemas, extra body; see {@link chatOpenAISettings}). Throws `CONFIG_INVALID`
 * when a real endpoint has no key; scripted models need none.
 *
 * @example
 * const model = createChatModel({ model: { name: 'gpt-4.1' }, context: { taskId, jobId, role: 'coder', subtaskId: 's1' } });
 */
export function createChatModel(opts: CreateChatModelOptions): ChatOpenAI {
  const env = opts.env ?? process.env;
  const envBaseURL = env.OPENAI_BASE_URL?.trim();
  const baseURL =
    opts.model.baseURL ?? (envBaseURL === undefined || envBaseURL === '' ? OPENAI_DEFAULT_BASE_URL : envBaseURL);
  const keyEnv = opts.model.apiKeyEnv ?? 'OPENAI_API_KEY';
  const key = env[keyEnv]?.trim();
  let apiKey: string;
  if (key !== undefined && key !== '') apiKey = key;
  else if (isScriptedModel(opts.model.name) || isScriptedEndpoint(baseURL)) apiKey = SCRIPTED_PLACEHOLDER_KEY;
  else {
    throw new CodecrewError(
      'CONFIG_INVALID',
      `set ${keyEnv} to reach ${baseURL} (model "${opts.model.name}"), or point models.endpoint at a server you have a key for` +
        (keyEnv === 'OPENAI_API_KEY' ? '; models.endpoint.apiKeyEnv names another variable' : ''),
      { details: { baseURL, apiKeyEnv: keyEnv, model: opts.model.name } },
    );
  }
  return new ChatOpenAI({
    model: opts.model.name,
    apiKey,
    streaming: opts.streaming ?? false,
    // Retries happen in the fetch below, so that each one is a plain HTTP request honouring retry-after.
    maxRetries: 0,
    ...chatOpenAISettings(opts.model, baseURL),
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
    configuration: {
      baseURL,
      defaultHeaders: codecrewHeaders(opts.context),
      fetch: retryingFetch({
        maxRetries: opts.maxRetries ?? 2,
        ...(opts.onRetry === undefined ? {} : { onRetry: opts.onRetry }),
      }),
    },
  });
}

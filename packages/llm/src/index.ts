export {
  ModelScript,
  ScriptMatch,
  ScriptReply,
  ScriptRule,
  ScriptToolCall,
  ScriptError,
  loadModelScript,
} from './script.ts';
export { ScriptMatcher } from './matcher.ts';
export type { RequestFacts, ScriptAnswer } from './matcher.ts';
export { startScriptedModelServer } from './server.ts';
export type { ScriptedModelServer, ScriptedModelServerOptions, RecordedRequest, RecordedOutcome } from './server.ts';
export { createChatModel, codecrewHeaders, OPENAI_DEFAULT_BASE_URL } from './model.ts';
export type { ModelCallContext, CreateChatModelOptions } from './model.ts';
export { isScriptedEndpoint, isScriptedModel } from './scripted-endpoints.ts';
export { retryingFetch, retryAfterMs } from './retry-fetch.ts';
export type { RetryPolicy, ModelRetry } from './retry-fetch.ts';
export { usageOf } from './usage.ts';
export { modelErrorOf } from './model-error.ts';
export type { ModelPrice } from './usage.ts';

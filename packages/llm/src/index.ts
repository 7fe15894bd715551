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
export { chatOpenAISettings, isOpenAIReasoningModel, strictToolsByDefault } from './model-settings.ts';
export type { ChatOpenAISettings } from './model-settings.ts';
export { isScriptedEndpoint, isScriptedModel } from './scripted-endpoints.ts';
export { strictSchemaProblems, strictToolsError } from './strict-schema.ts';
export { retryingFetch, retryAfterMs } from './retry-fetch.ts';
export type { RetryPolicy, ModelRetry } from './retry-fetch.ts';
export { usageOf, costOf } from './usage.ts';
export { modelErrorOf } from './model-error.ts';
export type { ModelPrice } from './usage.ts';
export { countTokens, encodingForModel } from './tokenizer.ts';
export type { EncodingName } from './tokenizer.ts';
export { promptTokens, messageTokens, toolsTokens } from './prompt-tokens.ts';
export type { WireMessage } from './prompt-tokens.ts';
export { ChatTokenCounter } from './chat-tokens.ts';
export { contextWindowOf, DEFAULT_CONTEXT_WINDOW, KNOWN_CONTEXT_WINDOWS } from './context-window.ts';
export { contextOverflowOf } from './context-overflow.ts';
export type { ContextOverflow } from './context-overflow.ts';
export { purposeOptions, PURPOSE_HEADER } from './purpose.ts';
export type { ModelPurpose } from './purpose.ts';
export type { ScriptedServerStats } from './server-stats.ts';

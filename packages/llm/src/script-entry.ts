/**
 * The light entry of the model package: the scripted model's script format only, with no LangChain or
 * HTTP code. `codecrew schema` imports this entry so that it starts quickly.
 */
export {
  ModelScript,
  ScriptMatch,
  ScriptReply,
  ScriptRule,
  ScriptToolCall,
  ScriptError,
  loadModelScript,
} from './script.ts';

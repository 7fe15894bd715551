/** What a server said when a prompt did not fit: its window and the prompt's size, when its message names them. */
export interface ContextOverflow {
  /** The model's context window in tokens, as the server gave it. */
  contextWindow?: number;
  /** The prompt's tokens as the server counted them. */
  promptTokens?: number;
  message: string;
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** Messages of OpenAI, vLLM, llama.cpp, LM Studio and others when a prompt is longer than the window. */
const OVERFLOW_TEXT =
  /context[_ ]length[_ ]exceeded|maximum context length|exceeds? (?:the )?(?:available )?context (?:size|length|window)|exceed_context_size|prompt is too long|too many tokens/i;

function numberAfter(message: string, pattern: RegExp): number | undefined {
  const found = pattern.exec(message)?.[1];
  if (found === undefined) return undefined;
  const value = Number(found.replace(/[,_]/g, ''));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Reads a failed model call as a context overflow — HTTP 400 (or 413) with
 * code `context_length_exceeded`, or a message saying the prompt is longer
 * than the model's context — or returns undefined for any other failure.
 *
 * @example
 * contextOverflowOf(error)?.contextWindow; // 16000 from "This model's maximum context length is 16000 tokens. …"
 */
export function contextOverflowOf(error: unknown): ContextOverflow | undefined {
  // LangChain wraps the client's error (as ContextOverflowError, for one) and keeps it as the cause.
  const cause = field(error, 'cause');
  if (field(error, 'status') === undefined && typeof cause === 'object' && cause !== null) {
    return contextOverflowOf(cause);
  }
  const status = field(error, 'status');
  if (status !== 400 && status !== 413) return undefined;
  const message = error instanceof Error ? error.message : String(field(error, 'message') ?? '');
  if (field(error, 'code') !== 'context_length_exceeded' && !OVERFLOW_TEXT.test(message)) return undefined;
  const overflow: ContextOverflow = { message };
  const window = numberAfter(message, /maximum context length is ([\d,_]+)/i);
  if (window !== undefined) overflow.contextWindow = window;
  const prompt = numberAfter(message, /(?:resulted in|requested) ([\d,_]+) tokens/i);
  if (prompt !== undefined) overflow.promptTokens = prompt;
  return overflow;
}

import type { ScriptReply } from './script.ts';

/** Marks everything the scripted server sends. */
export const SCRIPTED_FINGERPRINT = 'codecrew-scripted';
export const SCRIPTED_OWNER = 'codecrew-scripted';

/** The model name the server reports: the requested one, labelled as scripted. */
export function labelModel(requested: string | undefined): string {
  const name = requested ?? '';
  return name.startsWith('scripted') ? name : `scripted:${name}`;
}

/** The text of the last message of a chat request: string content, or its text parts joined. */
export function lastMessageText(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) return '';
  const last: unknown = messages[messages.length - 1];
  if (typeof last !== 'object' || last === null) return '';
  const content = (last as { content?: unknown }).content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** Everything needed to write one completion, in either form. */
export interface Completion {
  id: string;
  created: number;
  model: string;
  content: string | null;
  toolCalls: WireToolCall[];
  usage: WireUsage;
  /** Set when the reply stopped at the output token limit. */
  finishReason?: 'length';
}

/** Turns a script reply into wire tool calls; `nextId` makes the call ids. */
export function toolCallsOf(reply: ScriptReply, nextId: () => string): WireToolCall[] {
  return (reply.tool_calls ?? []).map((call) => ({
    id: nextId(),
    type: 'function',
    function: {
      name: call.name,
      arguments: call.raw_arguments ?? reply.raw_arguments ?? JSON.stringify(call.args ?? {}),
    },
  }));
}

function finishReason(completion: Completion): 'tool_calls' | 'stop' | 'length' {
  return completion.finishReason ?? (completion.toolCalls.length > 0 ? 'tool_calls' : 'stop');
}

/** The body of a non-streamed answer. */
export function completionBody(completion: Completion): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: completion.content, refusal: null };
  if (completion.toolCalls.length > 0) message.tool_calls = completion.toolCalls;
  return {
    id: completion.id,
    object: 'chat.completion',
    created: completion.created,
    model: completion.model,
    system_fingerprint: SCRIPTED_FINGERPRINT,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(completion) }],
    usage: completion.usage,
  };
}

/** Splits text into a few pieces so that streamed answers arrive as several deltas. */
export function pieces(text: string, count = 3): string[] {
  if (text.length <= 1) return [text];
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The chunks of a streamed answer, in order, without the final `[DONE]`. */
export function streamChunks(completion: Completion, includeUsage: boolean): Record<string, unknown>[] {
  const base = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    system_fingerprint: SCRIPTED_FINGERPRINT,
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks = [chunk({ role: 'assistant', content: '' })];
  if (completion.content !== null && completion.content !== '') {
    for (const piece of pieces(completion.content)) chunks.push(chunk({ content: piece }));
  }
  for (const [index, call] of completion.toolCalls.entries()) {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
      }),
    );
    for (const piece of pieces(call.function.arguments)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  }
  chunks.push(chunk({}, finishReason(completion)));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type: string, code: string | null): Record<string, unknown> {
  return { error: { message, type, param: null, code } };
}

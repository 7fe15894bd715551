import type { WireMessage } from './prompt-tokens.ts';
import type { WireToolCall, WireUsage } from './protocol.ts';

/**
 * OpenAI's Responses API (`POST /v1/responses`) as the scripted server speaks
 * it: what it reads of a request's `input` items and how it writes a response
 * with `reasoning`, `message` and `function_call` output items.
 */

type Item = Record<string, unknown>;

/** Prefix of the `encrypted_content` the scripted server issues, so that it can tell its own from anything else. */
export const SCRIPTED_ENCRYPTED_PREFIX = 'codecrew-scripted-reasoning:';

function itemsOf(input: unknown): Item[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  if (!Array.isArray(input)) return [];
  return input.filter((item): item is Item => typeof item === 'object' && item !== null && !Array.isArray(item));
}

function kindOf(item: Item): string {
  // A message may leave out its type: {role, content}.
  return typeof item.type === 'string' ? item.type : typeof item.role === 'string' ? 'message' : '';
}

/**
 * The request's input as chat messages (function calls join the assistant
 * message before them, outputs become tool messages; reasoning items carry no
 * text), so that prompts are counted the same way for both APIs.
 */
export function inputAsMessages(input: unknown): WireMessage[] {
  const messages: WireMessage[] = [];
  for (const item of itemsOf(input)) {
    const kind = kindOf(item);
    if (kind === 'message') {
      messages.push({ role: String(item.role), content: item.content });
    } else if (kind === 'function_call') {
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      const last = messages.at(-1);
      if (last?.role === 'assistant' && Array.isArray(last.tool_calls)) last.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (kind === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
    }
  }
  return messages;
}

/** The text of the last input item: a message's text, or a function call's output. */
export function lastInputText(input: unknown): string {
  const last = itemsOf(input).at(-1);
  if (last === undefined) return '';
  const value = kindOf(last) === 'function_call_output' ? last.output : last.content;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return value
    .map((part: unknown) => {
      const text = typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined;
      return typeof text === 'string' ? text : '';
    })
    .join('');
}

/** The ids of the reasoning items a request sends back with their encrypted content. */
export function reasoningItemsIn(input: unknown): string[] {
  return itemsOf(input)
    .filter((item) => kindOf(item) === 'reasoning' && typeof item.encrypted_content === 'string')
    .map((item) => String(item.id));
}

/**
 * What OpenAI refuses in a request's input, in its words: a function call
 * output without its call, a call without its output, a reasoning item whose
 * encrypted content it did not issue, and, with `store: false`, an item sent
 * by id alone (nothing is stored to look it up). Null when nothing is wrong.
 */
export function responsesInputProblem(input: unknown, store: boolean): string | null {
  const items = itemsOf(input);
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const item of items) {
    const kind = kindOf(item);
    if (kind === 'function_call') calls.add(String(item.call_id));
    if (kind === 'function_call_output') {
      const id = String(item.call_id);
      if (!calls.has(id)) return `No tool call found for function call output with call_id ${id}.`;
      answered.add(id);
    }
    if (kind === 'reasoning' || kind === 'item_reference') {
      const encrypted = item.encrypted_content;
      if (typeof encrypted === 'string' && !encrypted.startsWith(SCRIPTED_ENCRYPTED_PREFIX)) {
        return `The encrypted content for item ${String(item.id)} could not be verified.`;
      }
      if (encrypted === undefined && !store) {
        return `Item with id '${String(item.id)}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`;
      }
    }
  }
  const unanswered = [...calls].find((id) => !answered.has(id));
  return unanswered === undefined ? null : `No tool output found for function call ${unanswered}.`;
}

/** Everything needed to write one response. */
export interface ScriptedResponse {
  id: string;
  created: number;
  model: string;
  /** The reasoning item, when the reply has one; `encrypted` when the request asked for `reasoning.encrypted_content`. */
  reasoning?: { id: string; summary: string | undefined; encrypted: boolean };
  content: string | null;
  messageId: string;
  toolCalls: WireToolCall[];
  usage: WireUsage;
  /** The reply stopped at the output token limit. */
  incomplete: boolean;
  /** Echoed request settings. */
  request: Item;
}

function encrypt(id: string, summary: string | undefined): string {
  return `${SCRIPTED_ENCRYPTED_PREFIX}${Buffer.from(JSON.stringify({ id, summary: summary ?? '' })).toString('base64')}`;
}

/** The body of a Responses API answer (not streamed). */
export function responseBody(response: ScriptedResponse): Record<string, unknown> {
  const output: Item[] = [];
  if (response.reasoning !== undefined) {
    const { id, summary, encrypted } = response.reasoning;
    const item: Item = {
      type: 'reasoning',
      id,
      summary: summary === undefined || summary === '' ? [] : [{ type: 'summary_text', text: summary }],
    };
    if (encrypted) item.encrypted_content = encrypt(id, summary);
    output.push(item);
  }
  if (response.content !== null && response.content !== '') {
    output.push({
      type: 'message',
      id: response.messageId,
      status: response.incomplete ? 'incomplete' : 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: response.content, annotations: [] }],
    });
  }
  for (const call of response.toolCalls) {
    output.push({
      type: 'function_call',
      id: `fc_${call.id}`,
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: response.incomplete ? 'incomplete' : 'completed',
    });
  }
  const { usage, request } = response;
  return {
    id: response.id,
    object: 'response',
    created_at: response.created,
    status: response.incomplete ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: response.incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: response.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: request.reasoning ?? { effort: null, summary: null },
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: {
      input_tokens: usage.prompt_tokens,
      input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
      output_tokens: usage.completion_tokens,
      output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
      total_tokens: usage.total_tokens,
    },
    user: null,
    metadata: {},
  };
}

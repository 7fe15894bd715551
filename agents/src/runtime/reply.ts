import { AIMessage } from '@langchain/core/messages';
import { stripThinking } from './think.ts';
import { parseTextToolCalls } from './text-tool-calls.ts';
import type { ToolDefinition } from './tool.ts';

/** One tool call of a model reply, as the loop handles it. */
export interface ReplyCall {
  /** The call's id in the history sent back: the model's own, or one made up when it sent none or a repeated one. */
  id: string;
  name: string;
  /** The parsed arguments; absent when they could not be read (see `problem`). */
  args?: Record<string, unknown>;
  /** Why the call cannot run: its arguments are not JSON, or the reply was cut off in it. */
  problem?: { kind: 'invalid_json'; error: string; raw: string } | { kind: 'cut_off' };
}

/** A model reply made ready for the loop: its calls, its visible text and the message that goes into the history. */
export interface ModelTurn {
  calls: ReplyCall[];
  /** The reply's text without reasoning and without tool calls written as text. */
  text: string;
  /** The calls were written as text (`<tool_call>…`) rather than sent as tool calls. */
  fromText: boolean;
  /** Tool-call-like blocks in the text that could not be read. */
  unreadable: string[];
  /** The reply stopped at the output token limit (`finish_reason: "length"`); how many tokens it had, when known. */
  cutOff: { tokens: number | undefined } | null;
  /**
   * The assistant message to keep in the history: every call, readable or not, so that each tool
   * message answers a call of it; unreadable arguments are sent back as `{}`. Null when the reply
   * had neither text nor calls.
   */
  history: AIMessage | null;
}

function contentText(content: AIMessage['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => (typeof part === 'object' && part.type === 'text' && 'text' in part ? String(part.text) : ''))
    .join('');
}

function finishReason(reply: AIMessage): string | undefined {
  const metadata = reply.response_metadata as
    { finish_reason?: unknown; incomplete_details?: { reason?: unknown } | null } | undefined;
  // The Responses API says an answer stopped at the output limit as an incomplete response.
  if (metadata?.incomplete_details?.reason === 'max_output_tokens') return 'length';
  return typeof metadata?.finish_reason === 'string' ? metadata.finish_reason : undefined;
}

/**
 * What the history keeps of a reply's extra fields: the Responses API's reasoning item (with its
 * encrypted content), which a reasoning model needs back with the next request to go on from it.
 */
function keptKwargs(reply: AIMessage): Record<string, unknown> {
  const reasoning = (reply.additional_kwargs as { reasoning?: unknown }).reasoning;
  return reasoning === undefined ? {} : { reasoning };
}

/**
 * The JSON parser's own message from LangChain's error for unreadable arguments, which also quotes
 * the whole arguments (a cut-off file would come back in full) and adds a troubleshooting link.
 */
function parseErrorOf(error: string | undefined): string {
  if (error === undefined) return 'parse error';
  const cause = /\nError: (.+)/.exec(error)?.[1];
  return (cause ?? error.split('\n')[0] ?? error).trim();
}

/** Sorts the calls as the model sent them (LangChain lists readable calls before unreadable ones). */
function inModelOrder(calls: ReplyCall[], reply: AIMessage): void {
  const raw = (reply.additional_kwargs as { tool_calls?: Array<{ id?: unknown }> }).tool_calls;
  if (!Array.isArray(raw)) return;
  const position = new Map(raw.map((call, index) => [call.id, index]));
  const at = (call: ReplyCall): number => position.get(call.id) ?? raw.length;
  calls.sort((a, b) => at(a) - at(b));
}

/** Gives every call an id that is present and unique within the reply. */
function idMaker(step: number): (id: string | undefined) => string {
  const seen = new Set<string>();
  let made = 0;
  return (id) => {
    let out = id;
    while (out === undefined || out === '' || seen.has(out)) out = `call_step${step}_${(made += 1)}`;
    seen.add(out);
    return out;
  };
}

/**
 * Reads a model reply: its tool calls (sent as tool calls, or else written
 * in its text), whether it was cut off at the output limit (then its last
 * call is incomplete, even when what arrived happens to parse), and the
 * message to keep in the history — without `<think>` reasoning, and holding
 * every call so that the conversation stays valid for strict endpoints.
 */
export function readReply(reply: AIMessage, step: number, tools: ReadonlyMap<string, ToolDefinition>): ModelTurn {
  const idFor = idMaker(step);
  let text = stripThinking(contentText(reply.content));
  const calls: ReplyCall[] = [];
  for (const call of reply.tool_calls ?? []) calls.push({ id: idFor(call.id), name: call.name, args: call.args });
  for (const bad of reply.invalid_tool_calls ?? []) {
    const raw = bad.args ?? '';
    calls.push({
      id: idFor(bad.id),
      name: bad.name ?? 'unknown',
      problem: { kind: 'invalid_json', error: parseErrorOf(bad.error), raw },
    });
  }
  inModelOrder(calls, reply);
  let fromText = false;
  let unreadable: string[] = [];
  if (calls.length === 0) {
    const found = parseTextToolCalls(text, tools);
    unreadable = found.unreadable;
    if (found.calls.length > 0) {
      fromText = true;
      text = found.text;
      for (const call of found.calls) {
        const id = idFor(undefined);
        if ('error' in call)
          calls.push({ id, name: call.name, problem: { kind: 'invalid_json', error: call.error, raw: '' } });
        else calls.push({ id, name: call.name, args: call.args });
      }
    }
  }
  const cutOff = finishReason(reply) === 'length' ? { tokens: reply.usage_metadata?.output_tokens } : null;
  const last = calls.at(-1);
  if (cutOff !== null && last !== undefined) {
    delete last.args;
    last.problem = { kind: 'cut_off' };
  }
  const history =
    text === '' && calls.length === 0
      ? null
      : new AIMessage({
          content: text,
          tool_calls: calls.map((call) => ({ id: call.id, name: call.name, args: call.args ?? {}, type: 'tool_call' })),
          additional_kwargs: keptKwargs(reply),
        });
  return { calls, text, fromText, unreadable, cutOff, history };
}

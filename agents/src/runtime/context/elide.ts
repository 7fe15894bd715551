import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { HEAD, callsById, contentText, shortArgs, withContent } from './conversation.ts';

/** How an elided tool result starts; such results are not elided again. */
export const ELIDED_MARK = '[elided:';

/** Argument strings longer than this in old calls (a whole file given to write_file) are elided too. */
const LONG_ARGUMENT = 400;

/** What an elision did. */
export interface Elision {
  /** Tool results and call arguments replaced by a note. */
  elided: number;
  /** Tokens saved, as counted before and after. */
  saved: number;
}

function elidedArgs(args: Record<string, unknown>): { args: Record<string, unknown>; changed: boolean } {
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (typeof value === 'string' && value.length > LONG_ARGUMENT && !value.startsWith(ELIDED_MARK)) {
      out[key] = `${ELIDED_MARK} ${value.length} characters, sent in an earlier step]`;
      changed = true;
    } else {
      out[key] = value;
    }
  }
  return { args: out, changed };
}

/** The assistant message with long arguments of its calls replaced by a note, or undefined when it has none. */
function withElidedArgs(message: AIMessage): AIMessage | undefined {
  let changed = false;
  const toolCalls = (message.tool_calls ?? []).map((call) => {
    const result = elidedArgs(call.args);
    changed ||= result.changed;
    return { ...call, args: result.args };
  });
  if (!changed) return undefined;
  return new AIMessage({
    content: message.content,
    tool_calls: toolCalls,
    // A Responses API reasoning item stays with the turn it belongs to.
    additional_kwargs: message.additional_kwargs,
    ...(message.id === undefined ? {} : { id: message.id }),
  });
}

/** The note that takes the place of an old tool result. */
export function elisionNote(call: { name: string; args: unknown } | undefined, tokens: number): string {
  const what = call === undefined ? 'this tool result' : `the result of ${call.name} ${shortArgs(call.args, 60)}`;
  return `${ELIDED_MARK} ${what} (${tokens} tokens) was removed to keep the conversation within the model's context; call the tool again if you need it]`;
}

/**
 * Elides old tool results in place, oldest first, until the conversation
 * takes at most `target` tokens: each result before `keepFrom` (where the
 * latest steps start) becomes a one-line note saying what it was, and long
 * arguments of old calls (a file's content given to write_file) are
 * shortened the same way. The system prompt, the task and every message from
 * `keepFrom` on are untouched; every call keeps its answer, so the
 * conversation stays valid.
 */
export function elideOldResults(
  messages: BaseMessage[],
  opts: { keepFrom: number; total: number; target: number; tokens: (message: BaseMessage) => number },
): Elision {
  const calls = callsById(messages);
  let total = opts.total;
  let elided = 0;
  let saved = 0;
  for (let index = HEAD; index < opts.keepFrom && total > opts.target; index += 1) {
    const message = messages[index];
    let replacement: BaseMessage | undefined;
    if (message instanceof ToolMessage && !contentText(message).startsWith(ELIDED_MARK)) {
      const tokens = opts.tokens(message);
      const note = withContent(message, elisionNote(calls.get(message.tool_call_id), tokens));
      if (opts.tokens(note) < tokens) replacement = note;
    } else if (message instanceof AIMessage) {
      replacement = withElidedArgs(message);
    }
    if (message === undefined || replacement === undefined) continue;
    const gain = opts.tokens(message) - opts.tokens(replacement);
    messages[index] = replacement;
    total -= gain;
    saved += gain;
    elided += 1;
  }
  return { elided, saved };
}

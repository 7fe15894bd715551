import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { headWithin, tailWithin, type CountText } from './cap.ts';
import { callsById, contentText, shortArgs } from './conversation.ts';

/** How much of each part of a step a transcript shows, in tokens. */
const SHOWN = { said: 300, result: 400, note: 2000 } as const;

function shorten(text: string, budget: number, count: CountText): string {
  if (Buffer.byteLength(text) <= budget || count(text) <= budget) return text;
  const head = headWithin(text, Math.ceil(budget * 0.6), count);
  const tail = tailWithin(text.slice(head.length), Math.floor(budget * 0.4), count);
  return `${head}\n[… cut …]\n${tail}`;
}

/** One message as transcript lines; a tool result shows at most `resultTokens`. */
function entryOf(
  message: BaseMessage,
  calls: ReturnType<typeof callsById>,
  count: CountText,
  resultTokens: number,
): string {
  const text = contentText(message).trim();
  if (message instanceof AIMessage) {
    const lines = text === '' ? [] : [`ASSISTANT: ${shorten(text, SHOWN.said, count)}`];
    for (const call of message.tool_calls ?? []) lines.push(`CALL ${call.name} ${shortArgs(call.args, 200)}`);
    return lines.join('\n');
  }
  if (message instanceof ToolMessage) {
    const name = calls.get(message.tool_call_id)?.name ?? 'tool';
    return `RESULT of ${name}${message.status === 'error' ? ' (error)' : ''}:\n${shorten(text, resultTokens, count)}`;
  }
  if (message instanceof HumanMessage) return `NOTE: ${shorten(text, SHOWN.note, count)}`;
  return '';
}

/**
 * The steps of `messages` as plain text for the model that summarises them:
 * what the agent said, each call with its arguments (long strings shortened)
 * and each result's head and tail (at most `resultTokens`, default 400).
 * When the whole would exceed `budget` tokens, the oldest entries are left
 * out (and the transcript says so).
 */
export function transcriptOf(
  messages: readonly BaseMessage[],
  budget: number,
  count: CountText,
  resultTokens: number = SHOWN.result,
): string {
  const calls = callsById(messages);
  const entries = messages
    .map((message) => entryOf(message, calls, count, resultTokens))
    .filter((entry) => entry !== '');
  const kept: string[] = [];
  let used = 0;
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index] as string;
    const tokens = count(entry) + 1;
    if (used + tokens > budget) {
      kept.unshift(`[… ${index + 1} earlier entries left out …]`);
      break;
    }
    kept.unshift(entry);
    used += tokens;
  }
  return kept.join('\n');
}

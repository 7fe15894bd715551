import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';

/** Messages at the start of every conversation that are never elided or compacted: the system prompt and the task. */
export const HEAD = 2;

/**
 * Where each step starts: a step is an assistant message and what follows it
 * up to the next assistant message (its tool results, a note). Steps start
 * only after the head; a summary of compacted steps sits before the first.
 */
export function stepStarts(messages: readonly BaseMessage[]): number[] {
  const starts: number[] = [];
  for (let index = HEAD; index < messages.length; index += 1) {
    if (messages[index] instanceof AIMessage) starts.push(index);
  }
  return starts;
}

/**
 * Where the latest steps to keep verbatim start: at most `maxSteps` steps
 * that together take at most `budget` tokens. The last step is kept even
 * when it alone is larger, unless `allowNone`; then `messages.length` is
 * returned when not even the last step fits.
 */
export function recentStart(
  messages: readonly BaseMessage[],
  opts: { maxSteps: number; budget: number; tokens: (message: BaseMessage) => number; allowNone?: boolean },
): number {
  const starts = stepStarts(messages);
  let from = messages.length;
  let used = 0;
  for (let taken = 0; taken < opts.maxSteps && starts.length > 0; taken += 1) {
    const start = starts.pop() as number;
    const stepTokens = messages.slice(start, from).reduce((sum, message) => sum + opts.tokens(message), 0);
    const mustKeep = taken === 0 && opts.allowNone !== true;
    if (used + stepTokens > opts.budget && !mustKeep) break;
    used += stepTokens;
    from = start;
  }
  return from;
}

/** The tool calls of the assistant messages in `messages`, by call id. */
export function callsById(messages: readonly BaseMessage[]): Map<string, { name: string; args: unknown }> {
  const calls = new Map<string, { name: string; args: unknown }>();
  for (const message of messages) {
    if (!(message instanceof AIMessage)) continue;
    for (const call of message.tool_calls ?? []) {
      if (call.id !== undefined) calls.set(call.id, { name: call.name, args: call.args });
    }
  }
  return calls;
}

/** The text of a message's content. */
export function contentText(message: BaseMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  return content
    .map((part) => (typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** A short form of a call's arguments for notes and transcripts: long strings are shortened. */
export function shortArgs(args: unknown, maxString = 80): string {
  return JSON.stringify(args, (_key, value: unknown) =>
    typeof value === 'string' && value.length > maxString
      ? `${value.slice(0, maxString)}… (${value.length} characters)`
      : value,
  );
}

/** A copy of a tool message with other content, answering the same call. */
export function withContent(message: ToolMessage, content: string): ToolMessage {
  return new ToolMessage({
    content,
    tool_call_id: message.tool_call_id,
    ...(message.name === undefined ? {} : { name: message.name }),
    ...(message.status === undefined ? {} : { status: message.status }),
  });
}

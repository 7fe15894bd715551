/**
 * The checks a strict chat-completions endpoint makes on the order of a
 * request's messages, with OpenAI's wording: every tool message answers a
 * call of the assistant message before it, and every call of an assistant
 * message is answered before the next message that is not a tool message.
 */

/** OpenAI's message for a tool message without a call to answer. */
export const ORPHAN_TOOL_MESSAGE =
  "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";

/** OpenAI's message for calls left without an answer; the ids follow. */
export const UNANSWERED_CALLS =
  "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages:";

interface WireMessage {
  role?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

function callIds(message: WireMessage): string[] {
  if (!Array.isArray(message.tool_calls)) return [];
  return message.tool_calls.map((call: unknown) =>
    typeof call === 'object' && call !== null ? String((call as { id?: unknown }).id) : String(call),
  );
}

/**
 * What is wrong with the order of `messages` (the request's `messages`
 * field), as a strict endpoint would word it; null when nothing is.
 */
export function conversationProblem(messages: unknown): string | null {
  if (!Array.isArray(messages)) return null;
  /** The calls of the assistant message the tool messages that follow may answer; null after any other message. */
  let calls: Set<string> | null = null;
  let unanswered: string[] = [];
  for (const item of messages as unknown[]) {
    const message = (typeof item === 'object' && item !== null ? item : {}) as WireMessage;
    if (message.role === 'tool') {
      const id = String(message.tool_call_id);
      if (calls === null || !calls.has(id)) return ORPHAN_TOOL_MESSAGE;
      unanswered = unanswered.filter((pending) => pending !== id);
      continue;
    }
    if (unanswered.length > 0) return `${UNANSWERED_CALLS} ${unanswered.join(', ')}`;
    const ids = message.role === 'assistant' ? callIds(message) : [];
    calls = ids.length > 0 ? new Set(ids) : null;
    unanswered = ids;
  }
  return unanswered.length > 0 ? `${UNANSWERED_CALLS} ${unanswered.join(', ')}` : null;
}

/** The body of the HTTP 400 a strict endpoint answers a broken conversation with. */
export function conversationErrorBody(message: string): Record<string, unknown> {
  return { error: { message, type: 'invalid_request_error', param: 'messages', code: null } };
}

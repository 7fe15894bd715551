import { describe, expect, it } from 'vitest';
import { ORPHAN_TOOL_MESSAGE, UNANSWERED_CALLS, conversationProblem } from '../src/conversation-check.ts';

const call = (id: string) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } });
const assistant = (...ids: string[]) => ({ role: 'assistant', content: null, tool_calls: ids.map(call) });
const tool = (id: string) => ({ role: 'tool', tool_call_id: id, content: 'ok' });
const user = { role: 'user', content: 'go' };

describe('conversationProblem', () => {
  it('accepts calls each answered before the next message, in any order', () => {
    expect(
      conversationProblem([user, assistant('a', 'b'), tool('b'), tool('a'), user, assistant('c'), tool('c')]),
    ).toBe(null);
    expect(conversationProblem([user, { role: 'assistant', content: 'hi' }, user])).toBe(null);
  });

  it("refuses a tool message that answers no call of the assistant message before it, in OpenAI's words", () => {
    expect(conversationProblem([user, tool('a')])).toBe(ORPHAN_TOOL_MESSAGE);
    expect(conversationProblem([user, assistant('a'), tool('a'), tool('b')])).toBe(ORPHAN_TOOL_MESSAGE);
    expect(conversationProblem([user, assistant('a'), tool('a'), user, tool('a')])).toBe(ORPHAN_TOOL_MESSAGE);
    expect(ORPHAN_TOOL_MESSAGE).toBe(
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    );
  });

  it('refuses calls left unanswered before the next message or at the end, naming their ids', () => {
    expect(conversationProblem([user, assistant('a', 'b'), tool('a'), user])).toBe(`${UNANSWERED_CALLS} b`);
    expect(conversationProblem([user, assistant('a', 'b')])).toBe(`${UNANSWERED_CALLS} a, b`);
    expect(UNANSWERED_CALLS).toBe(
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages:",
    );
  });
});

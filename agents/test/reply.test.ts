import { AIMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { readReply } from '../src/runtime/reply.ts';

const noTools = new Map();

describe('readReply', () => {
  it('gives calls without an id, or with an id used twice, ids of their own', () => {
    const reply = new AIMessage({
      content: '',
      tool_calls: [
        { id: '', name: 'a', args: {}, type: 'tool_call' },
        { id: 'same', name: 'b', args: {}, type: 'tool_call' },
        { id: 'same', name: 'c', args: {}, type: 'tool_call' },
      ],
    });
    const turn = readReply(reply, 7, noTools);
    expect(turn.calls.map((call) => call.id)).toEqual(['call_step7_1', 'same', 'call_step7_2']);
    expect(turn.history?.tool_calls?.map((call) => call.id)).toEqual(['call_step7_1', 'same', 'call_step7_2']);
  });

  it('reads a Responses API reply that stopped at max_output_tokens as cut off, with its token count', () => {
    const reply = new AIMessage({
      content: [{ type: 'text', text: 'partial' }],
      tool_calls: [
        { id: 'c0', name: 'read_file', args: { path: 'b' }, type: 'tool_call' },
        { id: 'c1', name: 'write_file', args: { path: 'a' }, type: 'tool_call' },
      ],
      response_metadata: { finish_reason: 'length' },
      usage_metadata: { input_tokens: 10, output_tokens: 2048, total_tokens: 2058 },
    });
    const turn = readReply(reply, 1, noTools);
    expect([turn.cutOff, turn.text, turn.calls]).toEqual([
      { tokens: 2048 },
      'partial',
      [
        { id: 'c0', name: 'read_file', args: { path: 'b' } },
        { id: 'c1', name: 'write_file', problem: { kind: 'cut_off' } },
      ],
    ]);
    expect(turn.history?.tool_calls?.map((call) => call.args)).toEqual([{ path: 'b' }, {}]);
  });

  it('keeps nothing in the history for a reply that was only reasoning', () => {
    const turn = readReply(new AIMessage({ content: '<think>all of it' }), 1, noTools);
    expect([turn.text, turn.history]).toEqual(['', null]);
  });
});

import { describe, expect, it } from 'vitest';
import { ModelScript } from '@codecrew/llm';
import { labelModel, lastMessageText, streamChunks, toolCallsOf, type Completion } from '../src/protocol.ts';

function replyOf(reply: unknown) {
  const script = ModelScript.parse({ version: 1, rules: [{ replies: [reply] }] });
  const parsed = script.rules[0]?.replies[0];
  if (parsed === undefined) throw new Error('no reply');
  return parsed;
}

describe('protocol', () => {
  it('labels model names as scripted once', () => {
    expect([labelModel('gpt-4.1'), labelModel('scripted:demo'), labelModel(undefined)]).toEqual([
      'scripted:gpt-4.1',
      'scripted:demo',
      'scripted:',
    ]);
  });

  it('reads the text of the last message, string or parts', () => {
    expect(
      lastMessageText([
        { role: 'user', content: 'a' },
        { role: 'tool', content: 'result' },
      ]),
    ).toBe('result');
    expect(
      lastMessageText([
        { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url' }, { type: 'text', text: 'y' }] },
      ]),
    ).toBe('xy');
    expect(lastMessageText([{ role: 'assistant', content: null }])).toBe('');
    expect(lastMessageText(undefined)).toBe('');
  });

  it('sends args as JSON, raw_arguments verbatim, per call or for the whole reply', () => {
    let n = 0;
    const nextId = () => `id${(n += 1)}`;
    const calls = toolCallsOf(
      replyOf({ tool_calls: [{ name: 'a', args: { x: 1 } }, { name: 'b', raw_arguments: '{oops' }, { name: 'c' }] }),
      nextId,
    );
    expect(calls.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ['id1', 'a', '{"x":1}'],
      ['id2', 'b', '{oops'],
      ['id3', 'c', '{}'],
    ]);
    const whole = toolCallsOf(replyOf({ tool_calls: [{ name: 'a' }, { name: 'b' }], raw_arguments: '' }), nextId);
    expect(whole.map((c) => c.function.arguments)).toEqual(['', '']);
  });

  it('streams role, content pieces, tool call deltas, finish, usage', () => {
    const completion: Completion = {
      id: 'c1',
      created: 1,
      model: 'scripted:m',
      content: 'abcdef',
      toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    const chunks = streamChunks(completion, true);
    expect(
      chunks.map((c) => [
        (c.choices as { delta?: unknown; finish_reason?: unknown }[])[0]?.delta ?? null,
        c.usage ?? null,
      ]),
    ).toEqual([
      [{ role: 'assistant', content: '' }, null],
      [{ content: 'ab' }, null],
      [{ content: 'cd' }, null],
      [{ content: 'ef' }, null],
      [{ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"a' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '":1' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '}' } }] }, null],
      [{}, null],
      [null, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }],
    ]);
    expect((chunks[8]?.choices as { finish_reason: string }[])[0]?.finish_reason).toBe('tool_calls');
  });
});

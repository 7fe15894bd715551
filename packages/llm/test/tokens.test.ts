import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { convertMessagesToCompletionsMessageParams } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { ChatTokenCounter } from '../src/chat-tokens.ts';
import { DEFAULT_CONTEXT_WINDOW, contextWindowOf } from '../src/context-window.ts';
import { contextOverflowOf } from '../src/context-overflow.ts';
import { promptTokens, type WireMessage } from '../src/prompt-tokens.ts';
import { countTokens, encodingForModel } from '../src/tokenizer.ts';

/** The example conversation of OpenAI's cookbook "How to count tokens with tiktoken", with the API's counts. */
const COOKBOOK: WireMessage[] = [
  {
    role: 'system',
    content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  {
    role: 'system',
    name: 'example_user',
    content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

describe('encodingForModel', () => {
  it("uses o200k_base for OpenAI's current models, snapshots and prefixes included, and cl100k_base otherwise", () => {
    const o200k = ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4.1-mini', 'gpt-5', 'o3', 'o4-mini', 'openai/gpt-oss-20b'];
    for (const model of o200k) expect(encodingForModel(model)).toBe('o200k_base');
    for (const model of ['gpt-4', 'gpt-3.5-turbo', 'qwen2.5-coder:7b', 'scripted-test', 'llama3.1'])
      expect(encodingForModel(model)).toBe('cl100k_base');
  });
});

describe('countTokens', () => {
  it('counts as tiktoken does', () => {
    expect(countTokens('tiktoken is great!', 'cl100k_base')).toBe(6);
    expect(countTokens('hello world', 'o200k_base')).toBe(2);
    expect(countTokens('', 'o200k_base')).toBe(0);
  });

  it('counts special-token text as ordinary text instead of refusing it', () => {
    expect(countTokens('<|endoftext|>', 'cl100k_base')).toBeGreaterThan(1);
  });

  it('counts a million repeated letters by pieces, giving the count of its 64-letter pieces', () => {
    const piece = countTokens('a'.repeat(64), 'o200k_base');
    expect(countTokens('a'.repeat(1_000_000), 'o200k_base')).toBe(piece * (1_000_000 / 64));
  });
});

describe('promptTokens', () => {
  it("matches the prompt tokens OpenAI's API reports for the cookbook's conversation", () => {
    expect(promptTokens({ model: 'gpt-4o', messages: COOKBOOK })).toBe(124);
    expect(promptTokens({ model: 'gpt-4-0613', messages: COOKBOOK })).toBe(129);
  });

  it('counts tool calls and tool schemas', () => {
    const call = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } }],
    };
    const bare = promptTokens({ model: 'gpt-4.1', messages: [{ role: 'assistant', content: null }] });
    expect(promptTokens({ model: 'gpt-4.1', messages: [call] })).toBeGreaterThan(bare + 8);
    const tool = { type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: {} } };
    const withTools = promptTokens({ model: 'gpt-4.1', messages: [call], tools: [tool] });
    expect(withTools).toBeGreaterThan(promptTokens({ model: 'gpt-4.1', messages: [call] }) + 20);
  });
});

describe('ChatTokenCounter', () => {
  it('counts LangChain messages exactly as their wire form is counted, tool calls and tools included', () => {
    const messages = [
      new SystemMessage('You are a coder.'),
      new HumanMessage('Fix the bug in src/a.ts.'),
      new AIMessage({
        content: 'Reading it.',
        tool_calls: [{ id: 'call_1', name: 'read_file', args: { path: 'src/a.ts', offset: 3 } }],
      }),
      new ToolMessage({ content: '1\texport const a = 1;\n2\texport const b = 2;', tool_call_id: 'call_1' }),
    ];
    const tools = [{ type: 'function', function: { name: 'read_file', description: 'Read', parameters: {} } }];
    for (const model of ['gpt-4.1', 'qwen3']) {
      const wire = convertMessagesToCompletionsMessageParams({ messages, model }) as WireMessage[];
      expect(new ChatTokenCounter(model).prompt(messages, tools)).toBe(promptTokens({ model, messages: wire, tools }));
    }
  });
});

describe('contextWindowOf', () => {
  it("knows OpenAI's models, their dated snapshots and variants, and assumes 32768 for others", () => {
    expect(contextWindowOf('gpt-4.1-mini')).toBe(1_047_576);
    expect(contextWindowOf('gpt-4o-2024-08-06')).toBe(128_000);
    expect(contextWindowOf('gpt-4o-mini-2024-07-18')).toBe(128_000);
    expect(contextWindowOf('o3-mini-2025-01-31')).toBe(200_000);
    expect(contextWindowOf('o4-mini')).toBe(200_000);
    expect(contextWindowOf('gpt-5-mini-2025-08-07')).toBe(400_000);
    expect(contextWindowOf('gpt-4-0613')).toBe(8_192);
    expect(contextWindowOf('openai/gpt-oss-120b')).toBe(131_072);
    expect(contextWindowOf('qwen2.5-coder:7b')).toBe(DEFAULT_CONTEXT_WINDOW);
    expect(DEFAULT_CONTEXT_WINDOW).toBe(32_768);
  });

  it('takes a configured window over what it knows', () => {
    expect(contextWindowOf('gpt-4o', 16_000)).toBe(16_000);
  });
});

describe('contextOverflowOf', () => {
  const openAI = Object.assign(
    new Error(
      "400 This model's maximum context length is 16000 tokens. However, your messages resulted in 17345 tokens. Please reduce the length of the messages.",
    ),
    { status: 400, code: 'context_length_exceeded' },
  );

  it("reads OpenAI's error with the window and the prompt's size", () => {
    expect(contextOverflowOf(openAI)).toEqual({ message: openAI.message, contextWindow: 16_000, promptTokens: 17_345 });
  });

  it("reads other servers' wording by its message", () => {
    const vllm = Object.assign(
      new Error(
        "400 This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).",
      ),
      { status: 400 },
    );
    expect(contextOverflowOf(vllm)).toMatchObject({ contextWindow: 4096, promptTokens: 5000 });
    const llamaCpp = Object.assign(new Error('400 the request exceeds the available context size'), { status: 400 });
    expect(contextOverflowOf(llamaCpp)).toEqual({ message: llamaCpp.message });
  });

  it('is undefined for other failures', () => {
    expect(contextOverflowOf(Object.assign(new Error('400 bad tool'), { status: 400 }))).toBeUndefined();
    expect(contextOverflowOf(Object.assign(new Error('maximum context length'), { status: 500 }))).toBeUndefined();
    expect(contextOverflowOf(new Error('fetch failed'))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { ModelRef } from '@codecrew/core';
import { chatOpenAISettings, createChatModel, isOpenAIReasoningModel, strictToolsByDefault } from '@codecrew/llm';

const context = { taskId: 'settings-task', jobId: 'settings-job', role: 'coder' as const };
const OPENAI = 'https://api.openai.com/v1';
const LOCAL = 'http://127.0.0.1:8000/v1';
const tool = {
  type: 'function' as const,
  function: {
    name: 'read_file',
    description: 'Read a file',
    parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
  },
};

/** The body fields (all but messages/input) ChatOpenAI sends for this model, tools bound. */
function requestParams(model: ModelRef): Record<string, unknown> {
  const chat = createChatModel({ model, context, env: { OPENAI_API_KEY: 'sk-test' } });
  const bound = chat.bindTools([tool]) as unknown as { invocationParams(options: object): Record<string, unknown> };
  return JSON.parse(JSON.stringify(bound.invocationParams({}))) as Record<string, unknown>;
}

describe('model settings in requests', () => {
  it('sends temperature and max_tokens to a chat model, with strict tools at OpenAI', () => {
    const params = requestParams({ name: 'gpt-4.1', temperature: 0.2, maxOutputTokens: 4096 });
    expect(params).toMatchObject({ model: 'gpt-4.1', temperature: 0.2, max_tokens: 4096 });
    expect(params.tools).toEqual([{ ...tool, function: { ...tool.function, strict: true } }]);
  });

  it('sends reasoning_effort and max_completion_tokens to an OpenAI reasoning model', () => {
    const params = requestParams({ name: 'o4-mini', reasoningEffort: 'high', maxOutputTokens: 20_000 });
    expect(params).toMatchObject({ reasoning_effort: 'high', max_completion_tokens: 20_000 });
    expect(params).not.toHaveProperty('temperature');
    expect(params).not.toHaveProperty('max_tokens');
  });

  it('sends reasoning_effort whatever the model is called, and no strict flag to other servers', () => {
    const params = requestParams({
      name: 'qwen3-32b',
      baseURL: LOCAL,
      reasoningEffort: 'low',
      extraBody: { chat_template_kwargs: { enable_thinking: false }, top_k: 20 },
    });
    expect(params).toMatchObject({
      reasoning_effort: 'low',
      chat_template_kwargs: { enable_thinking: false },
      top_k: 20,
    });
    expect(params.tools).toEqual([tool]);
  });

  it('uses the Responses API with reasoning effort, encrypted reasoning and nothing stored', () => {
    const params = requestParams({ name: 'o3', api: 'responses', reasoningEffort: 'medium', maxOutputTokens: 9000 });
    expect(params).toMatchObject({
      model: 'o3',
      reasoning: { effort: 'medium' },
      include: ['reasoning.encrypted_content'],
      store: false,
      max_output_tokens: 9000,
    });
    expect(params.tools).toEqual([
      {
        type: 'function',
        name: 'read_file',
        description: 'Read a file',
        parameters: tool.function.parameters,
        strict: true,
      },
    ]);
  });

  it('merges extraBody last, mapping by mapping', () => {
    const params = requestParams({
      name: 'gpt-5',
      api: 'responses',
      reasoningEffort: 'low',
      extraBody: { reasoning: { summary: 'auto' }, include: [], service_tier: 'flex' },
    });
    expect(params).toMatchObject({ reasoning: { effort: 'low', summary: 'auto' }, include: [], service_tier: 'flex' });
  });

  it('turns strict tools off or on when the model says so', () => {
    expect(requestParams({ name: 'gpt-4.1', strictTools: false }).tools).toEqual([tool]);
    const forced = requestParams({ name: 'local', baseURL: LOCAL, strictTools: true }).tools as Array<{
      function: { strict?: boolean };
    }>;
    expect(forced[0]?.function.strict).toBe(true);
  });
});

describe('chatOpenAISettings', () => {
  it('asks for encrypted reasoning only from models that reason', () => {
    expect(chatOpenAISettings({ name: 'gpt-4.1', api: 'responses' }, OPENAI).modelKwargs).toEqual({});
    expect(chatOpenAISettings({ name: 'gpt-5-mini', api: 'responses' }, OPENAI).modelKwargs).toEqual({
      include: ['reasoning.encrypted_content'],
    });
    expect(chatOpenAISettings({ name: 'my-reasoner', api: 'responses', reasoningEffort: 'high' }, LOCAL)).toEqual({
      useResponsesApi: true,
      zdrEnabled: true,
      modelKwargs: { reasoning: { effort: 'high' }, include: ['reasoning.encrypted_content'] },
    });
  });

  it('leaves everything unset for a bare name', () => {
    expect(chatOpenAISettings({ name: 'gpt-4.1-mini' }, LOCAL)).toEqual({
      useResponsesApi: false,
      zdrEnabled: false,
      modelKwargs: {},
    });
  });

  it('knows strict endpoints and reasoning model names', () => {
    expect(strictToolsByDefault(OPENAI, 'gpt-4.1')).toBe(true);
    expect(strictToolsByDefault('https://api.openai.com.example.org/v1', 'gpt-4.1')).toBe(false);
    expect(strictToolsByDefault(LOCAL, 'scripted-test')).toBe(true);
    expect(strictToolsByDefault('not a url', 'gpt-4.1')).toBe(false);
    expect(['o3', 'o4-mini', 'gpt-5', 'gpt-5-chat-latest', 'gpt-4.1', 'omni'].map(isOpenAIReasoningModel)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

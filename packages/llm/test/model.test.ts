import { AIMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import {
  codecrewHeaders,
  costOf,
  createChatModel,
  isScriptedEndpoint,
  isScriptedModel,
  modelErrorOf,
  retryAfterMs,
  usageOf,
} from '@codecrew/llm';

const context = {
  taskId: 'model-test-task',
  jobId: 'model-test-job',
  role: 'coder' as const,
  subtaskId: 's1',
  attempt: 2,
};

describe('createChatModel', () => {
  it('refuses a real endpoint without a key, naming the variable and the URL', () => {
    let caught: unknown;
    try {
      createChatModel({
        model: { name: 'gpt-4.1', baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: 'MY_KEY' },
        context,
        env: {},
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodecrewError);
    expect((caught as CodecrewError).code).toBe('CONFIG_INVALID');
    expect((caught as CodecrewError).message).toBe(
      'set MY_KEY to reach http://127.0.0.1:9/v1 (model "gpt-4.1"), or point models.endpoint at a server you have a key for',
    );
  });

  it('defaults to OPENAI_BASE_URL from the given environment, then to OpenAI', () => {
    expect(() =>
      createChatModel({ model: { name: 'gpt-4.1' }, context, env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } }),
    ).toThrow('set OPENAI_API_KEY to reach http://127.0.0.1:9/v1 (model "gpt-4.1")');
    expect(() => createChatModel({ model: { name: 'gpt-4.1' }, context, env: {} })).toThrow(
      'to reach https://api.openai.com/v1 (model "gpt-4.1")',
    );
    const model = createChatModel({ model: { name: 'gpt-4.1' }, context, env: { OPENAI_API_KEY: 'sk-test' } });
    expect(model.model).toBe('gpt-4.1');
    expect(model.apiKey).toBe('sk-test');
  });

  it('needs no key for a scripted model name', () => {
    const model = createChatModel({
      model: { name: 'scripted:demo', baseURL: 'http://127.0.0.1:9/v1' },
      context,
      env: {},
    });
    expect(model.apiKey).toBe('scripted-model-needs-no-key');
  });
});

describe('helpers', () => {
  it('builds the x-codecrew headers', () => {
    expect(codecrewHeaders(context)).toEqual({
      'x-codecrew-task': 'model-test-task',
      'x-codecrew-job': 'model-test-job',
      'x-codecrew-agent': 'coder',
      'x-codecrew-subtask': 's1',
      'x-codecrew-attempt': '2',
    });
    expect(codecrewHeaders({ taskId: 't', jobId: 'j', role: 'planner' })).toEqual({
      'x-codecrew-task': 't',
      'x-codecrew-job': 'j',
      'x-codecrew-agent': 'planner',
    });
    expect(codecrewHeaders({ taskId: 't', jobId: 'j', role: 'coder', delivery: 2 })).toEqual({
      'x-codecrew-task': 't',
      'x-codecrew-job': 'j',
      'x-codecrew-agent': 'coder',
      'x-codecrew-delivery': '2',
    });
  });

  it('recognises scripted models by name and scripted endpoints it started', () => {
    expect(['scripted', 'scripted:demo', 'scripted-x', 'gpt-4.1', 'scriptedx'].map(isScriptedModel)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(isScriptedEndpoint('http://127.0.0.1:9/v1')).toBe(false);
    expect(isScriptedEndpoint(undefined)).toBe(false);
  });

  it('reads retry-after in seconds, milliseconds or as a date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '0' }))).toBe(0);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '2' }))).toBe(150);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' }))).toBe(0);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  it('computes usage and cost from usage_metadata', () => {
    const message = new AIMessage({
      content: 'x',
      usage_metadata: { input_tokens: 1000, output_tokens: 500, total_tokens: 1500 },
    });
    expect(usageOf(message, { inputPerMillion: 2, outputPerMillion: 8 })).toEqual({
      calls: 1,
      promptTokens: 1000,
      cachedPromptTokens: 0,
      completionTokens: 500,
      reasoningTokens: 0,
      costUsd: 0.006,
    });
    expect(usageOf(new AIMessage('no usage'))).toEqual({
      calls: 1,
      promptTokens: 0,
      cachedPromptTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
    });
  });

  it('reads cached prompt tokens and reasoning tokens, and prices cached input at its own price', () => {
    const message = new AIMessage({
      content: 'x',
      usage_metadata: {
        input_tokens: 10_000,
        output_tokens: 2_000,
        total_tokens: 12_000,
        input_token_details: { cache_read: 8_000 },
        output_token_details: { reasoning: 1_500 },
      },
    });
    const usage = usageOf(message, { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 });
    expect(usage).toMatchObject({
      promptTokens: 10_000,
      cachedPromptTokens: 8_000,
      completionTokens: 2_000,
      reasoningTokens: 1_500,
    });
    // 2,000 uncached at $2, 8,000 cached at $0.50, 2,000 out (reasoning included) at $8 per million.
    expect(usage.costUsd).toBeCloseTo(0.004 + 0.004 + 0.016, 12);
    // Without a cached price, cached input costs the input price.
    expect(usageOf(message, { inputPerMillion: 2, outputPerMillion: 8 }).costUsd).toBeCloseTo(0.02 + 0.016, 12);
    expect(
      costOf(
        { promptTokens: 100, cachedPromptTokens: 500, completionTokens: 0 },
        { inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMillion: 0 },
      ),
    ).toBe(0);
  });

  it('classifies model errors', () => {
    const noMatch = Object.assign(new Error('400 no rule of the model script matches'), {
      status: 400,
      code: 'scripted_no_match',
    });
    expect(modelErrorOf(noMatch).toData()).toEqual({
      code: 'SCRIPT_NO_MATCH',
      message: 'no rule of the model script matches',
      retryable: false,
    });
    const limited = Object.assign(new Error('429 slow down'), { status: 429 });
    expect(modelErrorOf(limited).toData()).toEqual({
      code: 'MODEL_ERROR',
      message: 'model call failed: 429 slow down',
      retryable: true,
      details: { status: 429 },
    });
    expect(modelErrorOf(new TypeError('terminated')).toData()).toEqual({
      code: 'MODEL_ERROR',
      message: 'model call failed: terminated',
      retryable: true,
    });
  });
});

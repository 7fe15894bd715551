import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';
import type { AIMessageChunk } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import {
  ModelScript,
  createChatModel,
  modelErrorOf,
  startScriptedModelServer,
  usageOf,
  type ModelCallContext,
} from '@codecrew/llm';

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'write_file',
      description: 'Write a file in the workspace',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function' as const,
    function: {
      name: 'finish',
      description: 'End the job',
      parameters: {
        type: 'object',
        properties: { summary: { type: 'string' } },
        required: ['summary'],
        additionalProperties: false,
      },
    },
  },
];

/** Each test gets its own job id so that reply consumption never crosses tests. */
function contextFor(name: string, extra: Partial<ModelCallContext> = {}): ModelCallContext {
  return { taskId: 'llm-int-task', jobId: `llm-int-${name}`, role: 'coder', subtaskId: 's1', ...extra };
}

async function serve(script: unknown) {
  return startScriptedModelServer({ script: ModelScript.parse(script), latencyScale: 0 });
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('scripted model server through ChatOpenAI', () => {
  it('answers a plain content reply, labelled as scripted', async () => {
    await using server = await serve({ version: 1, rules: [{ replies: [{ content: 'Hello from the script' }] }] });
    const model = createChatModel({
      model: { name: 'gpt-test', baseURL: server.url },
      context: contextFor('content'),
      env: {},
    });
    const message = await model.invoke([new HumanMessage('hi')]);
    expect(message.content).toBe('Hello from the script');
    expect(message.tool_calls).toEqual([]);
    expect(message.response_metadata.model_name).toBe('scripted:gpt-test');
    expect(message.response_metadata.system_fingerprint).toBe('codecrew-scripted');
  });

  it('parses tool calls with their args and sends the x-codecrew headers', async () => {
    await using server = await serve({
      version: 1,
      rules: [
        {
          match: { agent: 'coder', subtask: 's1', task: 'llm-int-task', attempt: 2 },
          replies: [
            {
              tool_calls: [
                { name: 'write_file', args: { path: 'src/a.js', content: 'x\n' } },
                { name: 'finish', args: { summary: 'done' } },
              ],
            },
          ],
        },
      ],
    });
    const context = contextFor('tools', { attempt: 2 });
    const model = createChatModel({ model: { name: 'scripted', baseURL: server.url }, context, env: {} }).bindTools(
      tools,
    );
    const message = await model.invoke('write it');
    expect(message.tool_calls).toEqual([
      { name: 'write_file', args: { path: 'src/a.js', content: 'x\n' }, id: 'call_scripted_1', type: 'tool_call' },
      { name: 'finish', args: { summary: 'done' }, id: 'call_scripted_2', type: 'tool_call' },
    ]);
    expect(
      server.requests.map((r) => ({
        headers: r.headers,
        model: r.model,
        lastMessage: r.lastMessage,
        rule: r.rule,
        reply: r.reply,
        outcome: r.outcome,
      })),
    ).toEqual([
      {
        headers: { task: 'llm-int-task', job: 'llm-int-tools', agent: 'coder', subtask: 's1', attempt: '2' },
        model: 'scripted',
        lastMessage: 'write it',
        rule: 0,
        reply: 0,
        outcome: 'tool_calls',
      },
    ]);
  });

  it('reports usage in usage_metadata, with per-reply overrides, and usageOf prices it', async () => {
    await using server = await serve({
      version: 1,
      usage: { prompt_tokens: 800, completion_tokens: 120 },
      rules: [{ replies: [{ content: 'one' }, { content: 'two', usage: { completion_tokens: 5 } }] }],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('usage'),
      env: {},
    });
    const first = await model.invoke('a');
    const second = await model.invoke('b');
    expect(first.usage_metadata).toMatchObject({ input_tokens: 800, output_tokens: 120, total_tokens: 920 });
    expect(usageOf(first, { inputPerMillion: 2, outputPerMillion: 8 })).toEqual({
      calls: 1,
      promptTokens: 800,
      cachedPromptTokens: 0,
      completionTokens: 120,
      reasoningTokens: 0,
      costUsd: 0.00256,
    });
    expect(usageOf(second)).toEqual({
      calls: 1,
      promptTokens: 800,
      cachedPromptTokens: 0,
      completionTokens: 5,
      reasoningTokens: 0,
      costUsd: 0,
    });
  });

  it('retries a 429 with retry-after and succeeds with the next reply', async () => {
    await using server = await serve({
      version: 1,
      rules: [
        {
          replies: [
            { error: { status: 429, retry_after_s: 0 } },
            { tool_calls: [{ name: 'finish', args: { summary: 'ok' } }] },
          ],
        },
      ],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('retry'),
      env: {},
      maxRetries: 2,
    }).bindTools(tools);
    const started = Date.now();
    const message = await model.invoke('go');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(message.tool_calls?.map((call) => call.args)).toEqual([{ summary: 'ok' }]);
    expect(server.requests.map((r) => [r.status, r.outcome, r.reply, r.headers.retry])).toEqual([
      [429, 'error', 0, undefined],
      [200, 'tool_calls', 1, '1'],
    ]);
  });

  it('reports each retry to onRetry with its status and wait', async () => {
    await using server = await serve({
      version: 1,
      rules: [
        {
          replies: [
            { error: { status: 429, retry_after_s: 0 } },
            { error: { status: 500, retry_after_s: 0 } },
            { stream_cut: true },
            { content: 'fourth try' },
          ],
        },
      ],
    });
    const retries: Array<{ attempt: number; status: number | null; reason: string }> = [];
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('on-retry'),
      env: {},
      maxRetries: 3,
      onRetry: ({ attempt, status, reason }) => retries.push({ attempt, status, reason }),
    });
    expect((await model.invoke('go')).content).toBe('fourth try');
    expect(retries).toEqual([
      { attempt: 1, status: 429, reason: 'rate_limited' },
      { attempt: 2, status: 500, reason: 'server_error' },
      { attempt: 3, status: null, reason: 'connection_failed' },
    ]);
  });

  it("starts a job delivered again from the rule's first reply", async () => {
    await using server = await serve({
      version: 1,
      rules: [{ replies: [{ content: 'first' }, { content: 'second' }] }],
    });
    const first = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('redelivered'),
      env: {},
    });
    const again = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('redelivered', { delivery: 2 }),
      env: {},
    });
    expect((await first.invoke('go')).content).toBe('first');
    expect((await again.invoke('go')).content).toBe('first');
    expect((await again.invoke('go')).content).toBe('second');
    expect(server.requests.map((r) => [r.headers.delivery, r.reply])).toEqual([
      [undefined, 0],
      ['2', 0],
      ['2', 1],
    ]);
  });

  it('gives up after maxRetries and surfaces the status', async () => {
    await using server = await serve({
      version: 1,
      rules: [
        {
          replies: [
            { error: { status: 503, retry_after_s: 0 } },
            { error: { status: 500, body: 'still down', retry_after_s: 0 } },
          ],
        },
      ],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('give-up'),
      env: {},
      maxRetries: 1,
    });
    const error = await thrown(model.invoke('go'));
    expect(modelErrorOf(error).toData()).toEqual({
      code: 'MODEL_ERROR',
      message: 'model call failed: 500 still down',
      retryable: true,
      details: { status: 500 },
    });
    expect(server.requests.map((r) => r.status)).toEqual([503, 500]);
  });

  it('puts malformed raw_arguments into invalid_tool_calls instead of throwing', async () => {
    await using server = await serve({
      version: 1,
      rules: [{ replies: [{ tool_calls: [{ name: 'write_file', raw_arguments: '{not json' }] }] }],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('raw'),
      env: {},
    }).bindTools(tools);
    const message = await model.invoke('go');
    expect(message.tool_calls).toEqual([]);
    expect(message.invalid_tool_calls?.map((call) => ({ name: call.name, args: call.args, id: call.id }))).toEqual([
      { name: 'write_file', args: '{not json', id: 'call_scripted_1' },
    ]);
  });

  it('fails a streamed answer whose connection is cut', async () => {
    await using server = await serve({
      version: 1,
      rules: [{ replies: [{ content: 'This answer never ends', stream_cut: true }] }],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('cut'),
      env: {},
      streaming: true,
      maxRetries: 2,
    });
    const error = await thrown(model.invoke('go'));
    expect(modelErrorOf(error).toData()).toEqual({
      code: 'MODEL_ERROR',
      message: 'model call failed: terminated',
      retryable: true,
    });
    expect(server.requests.map((r) => [r.stream, r.outcome])).toEqual([[true, 'stream_cut']]);
  });

  it('retries a non-streamed request whose connection is dropped, taking the next reply', async () => {
    await using server = await serve({
      version: 1,
      rules: [{ replies: [{ stream_cut: true }, { content: 'second try' }] }],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('cut-plain'),
      env: {},
      maxRetries: 1,
    });
    const message = await model.invoke('go');
    expect(message.content).toBe('second try');
    expect(server.requests.map((r) => [r.stream, r.outcome, r.reply])).toEqual([
      [false, 'stream_cut', 0],
      [false, 'content', 1],
    ]);
  });

  it('answers an unmatched request with a 400 that names the headers', async () => {
    await using server = await serve({
      version: 1,
      rules: [{ match: { agent: 'planner' }, replies: [{ content: 'plan' }] }],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('no-match'),
      env: {},
      maxRetries: 2,
    });
    const error = await thrown(model.invoke('please code'));
    expect(error.message).toBe(
      '400 no rule of the model script matches this request: x-codecrew-agent="coder" x-codecrew-subtask="s1" ' +
        'x-codecrew-task="llm-int-task" x-codecrew-job="llm-int-no-match" x-codecrew-attempt=(not sent) x-codecrew-delivery=(not sent) model="scripted"; ' +
        'last message: "please code"; no rule matches these values; add a rule for this request or more replies to the rule meant to answer it',
    );
    expect(modelErrorOf(error).code).toBe('SCRIPT_NO_MATCH');
    expect(server.requests.map((r) => [r.status, r.outcome])).toEqual([[400, 'no_match']]);
  });

  it('assembles streamed tool calls and streamed usage', async () => {
    await using server = await serve({
      version: 1,
      usage: { prompt_tokens: 11, completion_tokens: 22 },
      rules: [
        {
          replies: [
            {
              content: 'Writing two files now.',
              tool_calls: [
                {
                  name: 'write_file',
                  args: { path: 'src/slug.js', content: 'export const slugify = (s) => s.toLowerCase();\n' },
                },
                { name: 'finish', args: { summary: 'Added slugify' } },
              ],
            },
          ],
        },
      ],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('stream'),
      env: {},
      streaming: true,
    }).bindTools(tools);
    let merged: AIMessageChunk | undefined;
    let chunks = 0;
    for await (const chunk of await model.stream('go')) {
      chunks += 1;
      merged = merged === undefined ? chunk : concat(merged, chunk);
    }
    expect(chunks).toBeGreaterThan(5);
    expect(merged?.content).toBe('Writing two files now.');
    expect(merged?.tool_calls).toEqual([
      {
        name: 'write_file',
        args: { path: 'src/slug.js', content: 'export const slugify = (s) => s.toLowerCase();\n' },
        id: 'call_scripted_1',
        type: 'tool_call',
      },
      { name: 'finish', args: { summary: 'Added slugify' }, id: 'call_scripted_2', type: 'tool_call' },
    ]);
    expect(merged?.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 22, total_tokens: 33 });
    // The job used the rule's only reply, so a streamed request now finds no rule.
    expect(modelErrorOf(await thrown(model.invoke('again'))).code).toBe('SCRIPT_NO_MATCH');
  });

  it('matches last_message against a tool result', async () => {
    await using server = await serve({
      version: 1,
      rules: [
        { match: { last_message: '"exit_code":\\s*[1-9]' }, replies: [{ content: 'tests fail' }] },
        { replies: [{ content: 'first' }, { content: 'tests pass' }] },
      ],
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('tool-result'),
      env: {},
    });
    const history = [
      new HumanMessage('run the tests'),
      new AIMessage({
        content: '',
        tool_calls: [{ name: 'shell', args: { command: 'npm test' }, id: 'call_1', type: 'tool_call' }],
      }),
    ];
    const failing = await model.invoke([
      ...history,
      new ToolMessage({ content: '{"exit_code": 1}', tool_call_id: 'call_1' }),
    ]);
    const passing = await model.invoke([
      ...history,
      new ToolMessage({ content: '{"exit_code": 0}', tool_call_id: 'call_1' }),
    ]);
    expect([failing.content, passing.content]).toEqual(['tests fail', 'first']);
    expect(server.requests.map((r) => r.lastMessage)).toEqual(['{"exit_code": 1}', '{"exit_code": 0}']);
  });

  it('lists its models with the scripted label', async () => {
    await using server = await serve({
      version: 1,
      rules: [{ match: { model: 'gpt-4.1' }, replies: [{ content: 'x' }] }],
    });
    const response = await fetch(`${server.url}/models`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-codecrew-scripted')).toBe('1');
    expect(await response.json()).toEqual({
      object: 'list',
      data: [
        { id: 'scripted', object: 'model', created: 0, owned_by: 'codecrew-scripted' },
        { id: 'scripted:gpt-4.1', object: 'model', created: 0, owned_by: 'codecrew-scripted' },
      ],
    });
  });

  it('waits latency_ms scaled by latencyScale', async () => {
    await using server = await startScriptedModelServer({
      script: ModelScript.parse({
        version: 1,
        latency_ms: 4000,
        rules: [{ replies: [{ content: 'slow', latency_ms: 400 }] }],
      }),
      latencyScale: 0.5,
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: contextFor('latency'),
      env: {},
    });
    const started = Date.now();
    await model.invoke('go');
    const elapsed = Date.now() - started;
    // The reply's 400 ms, halved; the script default of 4000 ms would show as 2000.
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(1500);
  });
});

import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type AIMessageChunk } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import {
  ChatTokenCounter,
  ModelScript,
  contextOverflowOf,
  createChatModel,
  modelErrorOf,
  promptTokens,
  purposeOptions,
  startScriptedModelServer,
} from '@codecrew/llm';

const readFile = {
  type: 'function' as const,
  function: {
    name: 'read_file',
    description: 'Read a file of the workspace',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, offset: { type: ['integer', 'null'] } },
      required: ['path', 'offset'],
      additionalProperties: false,
    },
  },
};

async function serve(script: Record<string, unknown>, onLog?: (line: string) => void) {
  return startScriptedModelServer({
    script: ModelScript.parse({ version: 1, ...script }),
    latencyScale: 0,
    ...(onLog === undefined ? {} : { onLog }),
  });
}

function modelFor(url: string, job: string, name = 'scripted') {
  return createChatModel({
    model: { name, baseURL: url },
    context: { taskId: 'context', jobId: job, role: 'coder', subtaskId: 's1' },
    env: {},
  });
}

async function post(url: string, content: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-codecrew-job': 'raw' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
  });
  return { status: response.status, body: await response.json() };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('the scripted server with a context window', () => {
  it("refuses a prompt over context_window with OpenAI's 400 body, without using a reply", async () => {
    await using server = await serve({ context_window: 50, rules: [{ replies: [{ content: 'short enough' }] }] });
    const long = 'word '.repeat(100);
    const tokens = promptTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    const { status, body } = await post(server.url, long);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        message: `This model's maximum context length is 50 tokens. However, your messages resulted in ${tokens} tokens. Please reduce the length of the messages.`,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    });
    const short = await post(server.url, 'hello');
    expect(short.status).toBe(200);
    expect(server.requests.map((r) => [r.outcome, r.promptTokens, r.reply])).toEqual([
      ['context_length_exceeded', tokens, undefined],
      ['content', promptTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }), 0],
    ]);
  });

  it('reaches ChatOpenAI as a non-retryable MODEL_ERROR that contextOverflowOf reads', async () => {
    await using server = await serve({ context_window: 20, rules: [{ replies: [{ content: 'never' }] }] });
    const error = await failure(modelFor(server.url, 'overflow').invoke('word '.repeat(40)));
    const overflow = contextOverflowOf(error);
    expect(overflow).toMatchObject({ contextWindow: 20, promptTokens: expect.any(Number) });
    expect(overflow?.promptTokens).toBe(server.requests[0]?.promptTokens);
    const classified = modelErrorOf(error);
    expect([classified.code, classified.retryable]).toEqual(['MODEL_ERROR', false]);
    expect(classified.details).toEqual({
      status: 400,
      reason: 'context_length_exceeded',
      contextWindow: 20,
      promptTokens: overflow?.promptTokens,
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('the purpose match key', () => {
  it('answers compaction requests and step requests from their own rules, by the x-codecrew-purpose header', async () => {
    await using server = await serve({
      rules: [
        { match: { purpose: 'compact' }, replies: [{ content: 'the summary' }] },
        { match: { purpose: 'step' }, replies: [{ content: 'a step' }, { content: 'another step' }] },
      ],
    });
    const model = modelFor(server.url, 'purpose');
    const answers = [
      await model.invoke('go', purposeOptions('step')),
      await model.invoke('summarise', purposeOptions('compact')),
      await model.invoke('go on', purposeOptions('step')),
    ];
    expect(answers.map((answer) => answer.content)).toEqual(['a step', 'the summary', 'another step']);
    expect(server.requests.map((r) => r.headers.purpose)).toEqual(['step', 'compact', 'step']);
    const unmarked = await failure(model.invoke('no purpose'));
    expect(String((unmarked as Error).message)).toContain('no rule of the model script matches');
  });
});

describe('prompt token counts', () => {
  it("reports the server's own count as usage.prompt_tokens, equal to the agent runtime's estimate of the same request", async () => {
    await using server = await serve({
      usage: { prompt_tokens: 'counted', completion_tokens: 5 },
      rules: [{ replies: [{ tool_calls: [{ name: 'read_file', args: { path: 'b.ts' } }] }, { content: 'done' }] }],
    });
    const counter = new ChatTokenCounter('gpt-4.1-mini');
    const model = modelFor(server.url, 'counted', 'gpt-4.1-mini').bindTools([readFile]);
    const messages = [new SystemMessage('You are a careful coder.'), new HumanMessage('Read a.ts and b.ts.')];
    const first = (await model.invoke(messages)) as AIMessageChunk;
    expect(first.usage_metadata?.input_tokens).toBe(counter.prompt(messages, [readFile]));
    const call = first.tool_calls?.[0];
    const history = [
      ...messages,
      new AIMessage({ content: '', tool_calls: [{ id: call?.id ?? '', name: 'read_file', args: { path: 'b.ts' } }] }),
      new ToolMessage({ content: '1\texport const b = 2;\n2\texport const c = b * 2;', tool_call_id: call?.id ?? '' }),
    ];
    const second = (await model.invoke(history)) as AIMessageChunk;
    expect(second.usage_metadata?.input_tokens).toBe(counter.prompt(history, [readFile]));
    expect(server.requests.map((r) => r.promptTokens)).toEqual([
      first.usage_metadata?.input_tokens,
      second.usage_metadata?.input_tokens,
    ]);
  });

  it('lists every chat request with its headers, prompt tokens and rule at GET /v1/_stats, with totals, and logs each', async () => {
    const log: string[] = [];
    await using server = await serve(
      {
        context_window: 30,
        rules: [
          { match: { purpose: 'compact' }, replies: [{ content: 'summary' }] },
          { replies: [{ content: 'one' }, { content: 'two' }] },
        ],
      },
      (line) => log.push(line),
    );
    const model = modelFor(server.url, 'stats');
    await model.invoke('hello', purposeOptions('step'));
    await failure(model.invoke('word '.repeat(40), purposeOptions('step')));
    await model.invoke('sum up', purposeOptions('compact'));
    const stats = (await (await fetch(`${server.url}/_stats`)).json()) as Record<string, unknown>;
    const tokens = server.requests.map((r) => r.promptTokens);
    expect(stats).toEqual({
      contextWindow: 30,
      requests: [
        { outcome: 'content', status: 200, rule: 2, reply: 1, promptTokens: tokens[0], headers: expect.any(Object) },
        { outcome: 'context_length_exceeded', status: 400, rule: null, reply: null, promptTokens: tokens[1] },
        { outcome: 'content', status: 200, rule: 1, reply: 1, promptTokens: tokens[2] },
      ].map((request) => ({ at: expect.any(String), model: 'scripted', headers: expect.any(Object), ...request })),
      totals: {
        requests: 3,
        promptTokens: (tokens[0] ?? 0) + (tokens[1] ?? 0) + (tokens[2] ?? 0),
        maxPromptTokens: tokens[1],
        overContextWindow: 1,
        byOutcome: { content: 2, context_length_exceeded: 1 },
        byPurpose: { step: 2, compact: 1 },
      },
    });
    expect((stats.requests as Array<{ headers: Record<string, string> }>)[0]?.headers).toMatchObject({
      agent: 'coder',
      job: 'stats',
      subtask: 's1',
      purpose: 'step',
    });
    expect(log).toEqual([
      `POST /v1/chat/completions agent=coder subtask=s1 job=stats purpose=step prompt=${tokens[0]} tokens → 200 content (rule 2 reply 1)`,
      `POST /v1/chat/completions agent=coder subtask=s1 job=stats purpose=step prompt=${tokens[1]} tokens → 400 context_length_exceeded`,
      `POST /v1/chat/completions agent=coder subtask=s1 job=stats purpose=compact prompt=${tokens[2]} tokens → 200 content (rule 1 reply 1)`,
    ]);
  });
});

describe('script validation', () => {
  it('takes a positive context_window, the purposes step and compact, and prompt_tokens: counted', () => {
    const parse = (script: Record<string, unknown>) =>
      ModelScript.safeParse({ version: 1, rules: [{ replies: [{ content: 'x' }] }], ...script }).success;
    expect(parse({ context_window: 16_000 })).toBe(true);
    expect(parse({ context_window: 0 })).toBe(false);
    expect(parse({ usage: { prompt_tokens: 'counted', completion_tokens: 1 } })).toBe(true);
    expect(parse({ usage: { prompt_tokens: 'many', completion_tokens: 1 } })).toBe(false);
    expect(parse({ rules: [{ match: { purpose: 'compact' }, replies: [{ content: 'x' }] }] })).toBe(true);
    expect(parse({ rules: [{ match: { purpose: 'other' }, replies: [{ content: 'x' }] }] })).toBe(false);
  });
});

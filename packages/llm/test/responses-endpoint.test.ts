import { afterEach, describe, expect, it } from 'vitest';
import { ModelScript, startScriptedModelServer, strictToolsError, type ScriptedModelServer } from '@codecrew/llm';

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(rules: unknown[]): Promise<ScriptedModelServer> {
  server = await startScriptedModelServer({
    script: ModelScript.parse({
      version: 1,
      usage: { prompt_tokens: 50, cached_tokens: 20, completion_tokens: 10, reasoning_tokens: 4 },
      rules,
    }),
  });
  return server;
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-codecrew-job': 'j1', 'x-codecrew-agent': 'coder' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const looseSchema = { type: 'object', properties: { path: { type: 'string' } } };
const strictSchema = { ...looseSchema, required: ['path'], additionalProperties: false };

describe('the scripted server on POST /v1/responses', () => {
  it('answers with reasoning, message and function_call items and Responses-shaped usage', async () => {
    await start([
      {
        match: { agent: 'coder' },
        replies: [
          {
            reasoning: { summary: 'Plan it.' },
            content: 'Reading.',
            tool_calls: [{ name: 'look', args: { path: 'a' } }],
          },
        ],
      },
    ]);
    const { status, json } = await post('/responses', {
      model: 'scripted',
      input: 'start',
      reasoning: { effort: 'low' },
      temperature: 0.3,
      tools: [{ type: 'function', name: 'look', parameters: strictSchema, strict: true }],
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'scripted',
      reasoning: { effort: 'low' },
      temperature: 0.3,
      usage: {
        input_tokens: 50,
        input_tokens_details: { cached_tokens: 20 },
        output_tokens: 10,
        output_tokens_details: { reasoning_tokens: 4 },
        total_tokens: 60,
      },
    });
    expect(json.output).toEqual([
      { type: 'reasoning', id: 'rs_scripted_1', summary: [{ type: 'summary_text', text: 'Plan it.' }] },
      {
        type: 'message',
        id: 'msg_scripted_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Reading.', annotations: [] }],
      },
      {
        type: 'function_call',
        id: 'fc_call_scripted_resp_1',
        call_id: 'call_scripted_resp_1',
        name: 'look',
        arguments: '{"path":"a"}',
        status: 'completed',
      },
    ]);
    expect(server?.requests[0]).toMatchObject({
      path: '/v1/responses',
      lastMessage: 'start',
      outcome: 'tool_calls',
      settings: { model: 'scripted', reasoning: { effort: 'low' }, temperature: 0.3 },
    });
  });

  it('refuses streaming, and counts responses requests in /v1/_stats', async () => {
    await start([{ replies: [{ content: 'x' }] }]);
    const streamed = await post('/responses', { model: 'scripted', input: 'hi', stream: true });
    expect(streamed.status).toBe(400);
    expect((streamed.json.error as { code: string }).code).toBe('scripted_no_stream');
    const stats = (await (await fetch(`${server?.url}/_stats`)).json()) as { totals: { requests: number } };
    expect(stats.totals.requests).toBe(1);
  });
});

describe('strict tool schemas at the scripted server', () => {
  it('refuses a strict tool whose schema strict mode does not take, on both APIs, as OpenAI does', async () => {
    await start([{ replies: [{ content: 'ok' }, { content: 'ok' }, { content: 'ok' }] }]);
    const chatTool = { type: 'function', function: { name: 'look', parameters: looseSchema, strict: true } };
    const chat = await post('/chat/completions', {
      model: 'scripted',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [chatTool],
    });
    expect(chat.status).toBe(400);
    expect(chat.json.error).toMatchObject({
      code: 'invalid_function_parameters',
      message:
        "Invalid schema for function 'look': In context=(), 'additionalProperties' is required to be supplied and to be false.",
    });
    const responses = await post('/responses', {
      model: 'scripted',
      input: 'hi',
      tools: [{ type: 'function', name: 'look', parameters: looseSchema, strict: true }],
    });
    expect(responses.status).toBe(400);
    // Without strict, the same schema is accepted; with a valid schema, strict is accepted.
    const loose = await post('/chat/completions', {
      model: 'scripted',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'look', parameters: looseSchema } }],
      temperature: 0,
      max_tokens: 64,
    });
    expect(loose.status).toBe(200);
    expect(server?.requests.at(-1)?.settings).toEqual({ model: 'scripted', temperature: 0, max_tokens: 64 });
    expect(strictToolsError([{ type: 'function', name: 'look', parameters: strictSchema, strict: true }])).toBeNull();
  });
});

import { AIMessage, HumanMessage, ToolMessage, type AIMessageChunk } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';
import { describe, expect, it } from 'vitest';
import { ModelScript, createChatModel, startScriptedModelServer } from '@codecrew/llm';

const writeFile = {
  type: 'function' as const,
  function: {
    name: 'write_file',
    description: 'Write a file',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
      additionalProperties: false,
    },
  },
};

async function serve(script: Record<string, unknown>) {
  return startScriptedModelServer({ script: ModelScript.parse({ version: 1, ...script }), latencyScale: 0 });
}

function modelFor(url: string, job: string, streaming = false) {
  return createChatModel({
    model: { name: 'scripted', baseURL: url },
    context: { taskId: 'strict', jobId: job, role: 'coder' },
    env: {},
    streaming,
  });
}

async function post(url: string, messages: unknown[]): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-codecrew-job': 'raw' },
    body: JSON.stringify({ model: 'scripted', messages }),
  });
  return { status: response.status, body: await response.json() };
}

const called = (...ids: string[]) =>
  new AIMessage({
    content: '',
    tool_calls: ids.map((id) => ({ id, name: 'write_file', args: { path: 'a', content: 'b' }, type: 'tool_call' })),
  });
const answer = (id: string) => new ToolMessage({ content: 'ok', tool_call_id: id });

describe('the scripted server as a strict endpoint', () => {
  it("answers a tool message without its call with OpenAI's 400, before any reply is used", async () => {
    await using server = await serve({ rules: [{ replies: [{ content: 'fine' }] }] });
    const { status, body } = await post(server.url, [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_ok', type: 'function', function: { name: 'write_file', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_bad', content: 'Error' },
      { role: 'tool', tool_call_id: 'call_ok', content: 'ok' },
    ]);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        message:
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        type: 'invalid_request_error',
        param: 'messages',
        code: null,
      },
    });
    expect(server.requests.map((r) => [r.status, r.outcome, r.reply])).toEqual([
      [400, 'invalid_conversation', undefined],
    ]);
    // The reply is still there for a valid request.
    expect((await modelFor(server.url, 'after').invoke([new HumanMessage('go')])).content).toBe('fine');
  });

  it('refuses calls left unanswered, naming their ids, through ChatOpenAI', async () => {
    await using server = await serve({ rules: [{ replies: [{ content: 'never' }] }] });
    const model = modelFor(server.url, 'unanswered');
    const error = await model
      .invoke([new HumanMessage('go'), called('call_1', 'call_2'), answer('call_1'), new HumanMessage('and?')])
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    // LangChain adds a troubleshooting link to this error.
    expect(error?.message).toContain(
      "400 An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_2",
    );
  });

  it('lets a script with strict: false through', async () => {
    await using server = await serve({ strict: false, rules: [{ replies: [{ content: 'lenient' }] }] });
    const reply = await modelFor(server.url, 'lenient').invoke([new HumanMessage('go'), called('call_1')]);
    expect(reply.content).toBe('lenient');
  });

  it('sends finish_reason length with partial content or arguments, non-streamed and streamed', async () => {
    const cut = { tool_calls: [{ name: 'write_file', raw_arguments: '{"path": "a.js", "content": "line 1\\nli' }] };
    await using server = await serve({
      rules: [
        {
          replies: [
            { content: 'The answer is', finish_reason: 'length', usage: { completion_tokens: 4096 } },
            { ...cut, finish_reason: 'length' },
            { ...cut, finish_reason: 'length' },
          ],
        },
      ],
    });
    const model = modelFor(server.url, 'length').bindTools([writeFile]);
    const text = await model.invoke('go');
    expect([text.content, text.response_metadata.finish_reason, text.usage_metadata?.output_tokens]).toEqual([
      'The answer is',
      'length',
      4096,
    ]);
    const call = await model.invoke('go');
    expect([call.response_metadata.finish_reason, call.tool_calls, call.invalid_tool_calls?.[0]?.name]).toEqual([
      'length',
      [],
      'write_file',
    ]);
    const streamed = modelFor(server.url, 'length', true).bindTools([writeFile]);
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await streamed.stream('go'))
      merged = merged === undefined ? chunk : concat(merged, chunk);
    expect(merged?.response_metadata.finish_reason).toBe('length');
    expect(merged?.tool_call_chunks?.[0]?.args).toBe('{"path": "a.js", "content": "line 1\\nli');
  });

  it('sends cached and reasoning tokens where OpenAI does', async () => {
    await using server = await serve({
      usage: { prompt_tokens: 1000, completion_tokens: 300, cached_tokens: 600 },
      rules: [{ replies: [{ content: 'a', usage: { reasoning_tokens: 200 } }, { content: 'b' }] }],
    });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-codecrew-job': 'usage' },
      body: JSON.stringify({ model: 'scripted', messages: [{ role: 'user', content: 'go' }] }),
    });
    expect(((await response.json()) as { usage: unknown }).usage).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 300,
      total_tokens: 1300,
      prompt_tokens_details: { cached_tokens: 600 },
      completion_tokens_details: { reasoning_tokens: 200 },
    });
    const reply = await modelFor(server.url, 'usage').invoke('go');
    expect(reply.usage_metadata).toMatchObject({
      input_tokens: 1000,
      output_tokens: 300,
      input_token_details: { cache_read: 600 },
    });
  });
});

import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emptyUsage, type ModelPrice } from '@codecrew/core';
import { ModelScript, createChatModel, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import type { Sandbox, Workspace } from '@codecrew/sandbox';
import { defineTool, runAgentLoop, type ToolContext } from '../src/index.ts';
import { elideOldResults } from '../src/runtime/context/elide.ts';

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const look = defineTool({
  name: 'look',
  description: 'Look at a file',
  schema: z.object({ path: z.string(), lines: z.number().int().positive().optional() }),
  async run(args) {
    return { kind: 'text', text: `${args.path}: ${args.lines === undefined ? 'all' : args.lines} line(s)` };
  },
});
const done = defineTool({
  name: 'done',
  description: 'Finish',
  schema: z.object({ summary: z.string().min(1) }),
  async run(args) {
    return { kind: 'terminal', value: args };
  },
});

function toolContext(): ToolContext {
  return {
    role: 'coder',
    workspace: {} as Workspace,
    sandbox: {} as Sandbox,
    emit: () => undefined,
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
  };
}

type Item = Record<string, unknown>;

const PRICE: ModelPrice = { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 };

describe('a job on the Responses API', () => {
  it('sends the reasoning item back with the next request, and counts cached and reasoning tokens', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    server = await startScriptedModelServer({
      script: ModelScript.parse({
        version: 1,
        usage: { prompt_tokens: 1000, cached_tokens: 600, completion_tokens: 100, reasoning_tokens: 70 },
        rules: [
          {
            replies: [
              {
                reasoning: { summary: 'Read the file before changing it.' },
                content: 'Looking first.',
                tool_calls: [{ name: 'look', args: { path: 'a.js', lines: null } }],
              },
              { reasoning: {}, tool_calls: [{ name: 'done', args: { summary: 'read it' } }] },
            ],
          },
        ],
      }),
      onRequest: (body) => bodies.push(body),
    });
    const model = createChatModel({
      model: {
        name: 'scripted-reasoner',
        baseURL: server.url,
        api: 'responses',
        reasoningEffort: 'high',
        maxOutputTokens: 4000,
        price: PRICE,
      },
      context: { taskId: 't', jobId: 'responses-job', role: 'coder' },
    });
    const result = await runAgentLoop({
      model,
      tools: [look, done],
      terminalTools: ['done'],
      system: 'sys',
      user: 'go',
      maxSteps: 5,
      context: toolContext(),
      price: PRICE,
    });

    expect(result.value).toEqual({ summary: 'read it' });
    expect(server.requests.map((r) => [r.path, r.status, r.outcome])).toEqual([
      ['/v1/responses', 200, 'tool_calls'],
      ['/v1/responses', 200, 'tool_calls'],
    ]);
    expect(bodies[0]).toMatchObject({
      reasoning: { effort: 'high' },
      include: ['reasoning.encrypted_content'],
      store: false,
      max_output_tokens: 4000,
    });
    expect(bodies[0]?.tools).toEqual([
      expect.objectContaining({ type: 'function', name: 'look', strict: true }),
      expect.objectContaining({ type: 'function', name: 'done', strict: true }),
    ]);
    // The second request carries the first turn whole: reasoning (encrypted), text, call, and the call's output.
    const input = (bodies[1]?.input as Item[]).slice(2);
    expect(input.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call_output']);
    expect(input[0]).toMatchObject({
      type: 'reasoning',
      id: 'rs_scripted_1',
      summary: [{ type: 'summary_text', text: 'Read the file before changing it.' }],
      encrypted_content: expect.stringMatching(/^codecrew-scripted-reasoning:/),
    });
    expect(input[3]).toMatchObject({ call_id: input[2]?.call_id, output: 'a.js: all line(s)' });
    expect(result.usage).toEqual({
      calls: 2,
      promptTokens: 2000,
      cachedPromptTokens: 1200,
      completionTokens: 200,
      reasoningTokens: 140,
      costUsd: (800 * 2 + 1200 * 0.5 + 200 * 8) / 1_000_000,
    });
  });

  it('reads an incomplete response (max_output_tokens) as a reply cut off at the output limit', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    server = await startScriptedModelServer({
      script: ModelScript.parse({
        version: 1,
        usage: { prompt_tokens: 10, completion_tokens: 50 },
        rules: [
          {
            replies: [
              { finish_reason: 'length', tool_calls: [{ name: 'look', raw_arguments: '{"path": "a.js"}' }] },
              { tool_calls: [{ name: 'done', args: { summary: 'ok' } }] },
            ],
          },
        ],
      }),
      onRequest: (body) => bodies.push(body),
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url, api: 'responses', maxOutputTokens: 50 },
      context: { taskId: 't', jobId: 'incomplete-job', role: 'coder' },
    });
    const result = await runAgentLoop({
      model,
      tools: [look, done],
      terminalTools: ['done'],
      system: 'sys',
      user: 'go',
      maxSteps: 5,
      context: toolContext(),
    });
    expect(result.value).toEqual({ summary: 'ok' });
    const output = (bodies[1]?.input as Item[]).at(-1);
    expect(output).toMatchObject({ type: 'function_call_output' });
    expect(String(output?.output)).toMatch(/^Error: your reply stopped .*in the middle of this look call/);
  });

  it('the server refuses a reasoning item it did not issue, and one sent by id alone when nothing is stored', async () => {
    server = await startScriptedModelServer({
      script: ModelScript.parse({ version: 1, rules: [{ replies: [{ content: 'never' }] }] }),
    });
    const ask = async (input: Item[]) => {
      const response = await fetch(`${server?.url}/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'scripted', store: false, input }),
      });
      return [response.status, ((await response.json()) as { error: { message: string } }).error.message];
    };
    const user = { role: 'user', content: 'hi' };
    expect(await ask([user, { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'forged' }])).toEqual([
      400,
      'The encrypted content for item rs_1 could not be verified.',
    ]);
    expect(await ask([user, { type: 'reasoning', id: 'rs_2', summary: [] }])).toEqual([
      400,
      "Item with id 'rs_2' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.",
    ]);
    expect(await ask([user, { type: 'function_call_output', call_id: 'call_x', output: 'x' }])).toEqual([
      400,
      'No tool call found for function call output with call_id call_x.',
    ]);
    expect(await ask([user, { type: 'function_call', call_id: 'call_y', name: 'look', arguments: '{}' }])).toEqual([
      400,
      'No tool output found for function call call_y.',
    ]);
  });

  it('keeps a reasoning item with its turn when old arguments are shortened to fit the context', () => {
    const reasoning = { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'secret' };
    const content = 'x'.repeat(5000);
    const messages: BaseMessage[] = [
      new SystemMessage('s'),
      new HumanMessage('t'),
      new AIMessage({
        content: '',
        tool_calls: [{ id: 'w', name: 'write_file', args: { path: 'a.ts', content }, type: 'tool_call' }],
        additional_kwargs: { reasoning },
      }),
      new ToolMessage({ content: 'ok', tool_call_id: 'w' }),
      new AIMessage({ content: 'later' }),
    ];
    const tokens = (message: BaseMessage) =>
      JSON.stringify([message.content, (message as AIMessage).tool_calls]).length;
    elideOldResults(messages, { keepFrom: 4, total: 10_000, target: 0, tokens });
    const shortened = messages[2] as AIMessage;
    expect(String(shortened.tool_calls?.[0]?.args.content).length).toBeLessThan(100);
    expect(shortened.additional_kwargs.reasoning).toEqual(reasoning);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CodecrewError, emptyUsage } from '@codecrew/core';
import { ModelScript, createChatModel, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import type { Sandbox, Workspace } from '@codecrew/sandbox';
import { defineTool, runAgentLoop, type ToolContext } from '../src/index.ts';

/** The agent loop against a strict scripted server, with replies as real models and local servers send them. */

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const echo = defineTool({
  name: 'echo',
  description: 'Echo a word',
  schema: z.object({ word: z.string() }),
  async run(args) {
    return { kind: 'text', text: `echo: ${args.word}` };
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

interface WireMessage {
  role: string;
  content: unknown;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
}

async function loopWith(replies: unknown[], maxSteps = 10) {
  const bodies: WireMessage[][] = [];
  server = await startScriptedModelServer({
    script: ModelScript.parse({ version: 1, usage: { prompt_tokens: 10, completion_tokens: 2 }, rules: [{ replies }] }),
    onRequest: (body) => bodies.push(body.messages as WireMessage[]),
  });
  const context: ToolContext = {
    role: 'coder',
    // The loop never touches these: the test tools above do not use them.
    workspace: {} as Workspace,
    sandbox: {} as Sandbox,
    emit: () => undefined,
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
  };
  const model = createChatModel({
    model: { name: 'scripted', baseURL: server.url },
    context: { taskId: 't', jobId: 'j', role: 'coder' },
    maxRetries: 0,
  });
  const run = runAgentLoop({
    model,
    tools: [echo, done],
    terminalTools: ['done'],
    system: 'sys',
    user: 'go',
    maxSteps,
    context,
  });
  const lastMessages = () => server?.requests.map((r) => r.lastMessage) ?? [];
  return { run, bodies, server, lastMessages };
}

async function failure(promise: Promise<unknown>): Promise<CodecrewError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodecrewError) return error;
    throw error;
  }
  throw new Error('expected the loop to fail');
}

const finish = { tool_calls: [{ name: 'done', args: { summary: 'ok' } }] };
const echoing = (word: string) => ({ tool_calls: [{ name: 'echo', args: { word } }] });

describe('runAgentLoop with what real models send', () => {
  it('answers every call of a reply with one malformed and one valid call, in the order sent', async () => {
    const { run, bodies, lastMessages } = await loopWith([
      {
        tool_calls: [
          { name: 'echo', raw_arguments: '{"word": ' },
          { name: 'echo', args: { word: 'fine' } },
        ],
      },
      finish,
    ]);
    expect((await run).value).toEqual({ summary: 'ok' });
    const sent = bodies[1] ?? [];
    const assistant = sent.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.map((c) => [c.function.name, c.function.arguments])).toEqual([
      ['echo', '{}'],
      ['echo', '{"word":"fine"}'],
    ]);
    expect(sent.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([
      'Error: the arguments of echo are not valid JSON (Unexpected end of JSON input). Send the call again with a JSON object as arguments.',
      'echo: fine',
    ]);
    expect(lastMessages()).toHaveLength(2);
  });

  it('tells a reply cut off at the output limit how many tokens it had, and runs no part of the cut call', async () => {
    const { run, lastMessages } = await loopWith([
      {
        tool_calls: [{ name: 'echo', raw_arguments: '{"word": "abc' }],
        finish_reason: 'length',
        usage: { completion_tokens: 4096 },
      },
      // Arguments that happen to parse are still the part of a call that arrived before the cut.
      {
        tool_calls: [{ name: 'echo', args: { word: 'partial' } }],
        finish_reason: 'length',
        usage: { completion_tokens: 512 },
      },
      { content: 'Let me write the whole fi', finish_reason: 'length', usage: { completion_tokens: 512 } },
      finish,
    ]);
    expect((await run).tool).toBe('done');
    const [, cutCall, cutParsed, cutText] = lastMessages();
    expect(cutCall).toMatch(
      /^Error: your reply stopped at 4096 tokens, the output limit, in the middle of this echo call, so the call is incomplete and was not run\. Send less in one reply: write a large file in pieces/,
    );
    expect(cutCall).not.toContain('not valid JSON');
    expect(cutParsed).toMatch(/^Error: your reply stopped at 512 tokens/);
    expect(cutText).toMatch(/^Your reply stopped at 512 tokens, the output limit, before it called a tool\./);
  });

  it('counts only text replies in a row: a step with a call starts the count again', async () => {
    const talk = { content: 'Let me think about this.' };
    const { run } = await loopWith([talk, echoing('a'), talk, talk, echoing('b'), talk, talk, talk, finish], 12);
    expect((await run).tool).toBe('done');
  });

  it('runs tool calls written as text, and sends them back as tool calls', async () => {
    const { run, bodies, lastMessages } = await loopWith([
      { content: 'I will echo.\n<tool_call>\n{"name": "echo", "arguments": {"word": "tagged"}}\n</tool_call>' },
      { content: 'Next:\n```json\n{"name": "echo", "arguments": {"word": "fenced"}}\n```' },
      {
        content:
          '<tool_call>\n<function=done>\n<parameter=summary>\nwritten as xml\n</parameter>\n</function>\n</tool_call>',
      },
    ]);
    expect((await run).value).toEqual({ summary: 'written as xml' });
    expect(lastMessages().slice(1)).toEqual(['echo: tagged', 'echo: fenced']);
    const assistant = bodies[1]?.find((m) => m.role === 'assistant');
    expect([assistant?.content, assistant?.tool_calls?.map((c) => c.function.arguments)]).toEqual([
      'I will echo.',
      ['{"word":"tagged"}'],
    ]);
  });

  it('keeps <think> reasoning out of the history, closed or cut off unclosed', async () => {
    const { run, bodies } = await loopWith([
      { content: '<think>the secret plan</think>Echoing now.', tool_calls: [{ name: 'echo', args: { word: 'a' } }] },
      { content: '<think>an unclosed secret that ran out', finish_reason: 'length' },
      { content: 'the hidden part</think>Done.', tool_calls: [{ name: 'done', args: { summary: 'ok' } }] },
    ]);
    expect((await run).tool).toBe('done');
    const assistants = (bodies[2] ?? []).filter((m) => m.role === 'assistant').map((m) => m.content);
    expect(assistants).toEqual(['Echoing now.']);
    expect(JSON.stringify(bodies)).not.toMatch(/secret|<think>/);
  });

  it('warns the model when 80% of its steps are used', async () => {
    const { run, lastMessages } = await loopWith([echoing('a'), echoing('b'), echoing('c'), echoing('d'), finish], 5);
    expect((await run).steps).toBe(5);
    expect(lastMessages().slice(1)).toEqual([
      'echo: a',
      'echo: b',
      'echo: c',
      'echo: d\n\nNote: you have used 4 of your 5 steps; 1 remains. Finish what you are doing and call done before they run out.',
    ]);
  });

  it('stops as stuck a model that keeps sending unusable calls', async () => {
    const bad = { tool_calls: [{ name: 'echo', args: { word: 3 } }] };
    const unknown = { tool_calls: [{ name: 'teleport', args: {} }] };
    const broken = { tool_calls: [{ name: 'echo', raw_arguments: '{"word": ' }] };
    for (const reply of [bad, unknown, broken]) {
      const { run } = await loopWith([reply, reply, reply, finish]);
      const error = await failure(run);
      expect([error.code, error.message]).toEqual([
        'AGENT_STUCK',
        `the agent is stuck: ${reply === unknown ? 'teleport' : 'echo'} failed with the same error 3 times in a row; stopped`,
      ]);
      await server?.close();
    }
  });
});

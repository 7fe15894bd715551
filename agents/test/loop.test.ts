import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CodecrewError, emptyUsage, type TraceKind } from '@codecrew/core';
import { ModelScript, createChatModel, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import type { Sandbox, Workspace } from '@codecrew/sandbox';
import { defineTool, runAgentLoop, type ToolContext } from '../src/index.ts';

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
const fatal = defineTool({
  name: 'fatal',
  description: 'Fail for good',
  schema: z.object({}),
  async run() {
    throw new CodecrewError('PLAN_INVALID', 'rejected for good', { details: { fatal: true } });
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

async function loopWith(replies: unknown[], maxSteps = 10) {
  server = await startScriptedModelServer({
    script: ModelScript.parse({
      version: 1,
      usage: { prompt_tokens: 10, completion_tokens: 2 },
      rules: [{ match: {}, replies }],
    }),
  });
  const events: Array<{ kind: TraceKind; message: string; data: Record<string, unknown> }> = [];
  const context: ToolContext = {
    role: 'coder',
    // The loop never touches these: the test tools above do not use them.
    workspace: {} as Workspace,
    sandbox: {} as Sandbox,
    emit: (kind, message, data = {}) => events.push({ kind, message, data }),
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
  };
  const model = createChatModel({
    model: { name: 'scripted', baseURL: server.url },
    context: { taskId: 't', jobId: 'j', role: 'coder' },
  });
  const run = runAgentLoop({
    model,
    tools: [echo, fatal, done],
    terminalTools: ['done'],
    system: 'sys',
    user: 'go',
    maxSteps,
    context,
  });
  return { run, events, context, server };
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

describe('runAgentLoop', () => {
  it('runs tools until a terminal tool, counting usage and steps', async () => {
    const { run, context, server } = await loopWith([
      { tool_calls: [{ name: 'echo', args: { word: 'hi' } }] },
      { tool_calls: [{ name: 'done', args: { summary: 'ok' } }] },
    ]);
    const result = await run;
    expect(result).toEqual({
      tool: 'done',
      value: { summary: 'ok' },
      usage: { calls: 2, promptTokens: 20, cachedPromptTokens: 0, completionTokens: 4, reasoningTokens: 0, costUsd: 0 },
      steps: 2,
    });
    expect(context.meter).toEqual({ usage: result.usage, steps: 2 });
    expect(server.requests[1]?.lastMessage).toBe('echo: hi');
  });

  it('returns argument errors, unknown tools and invalid JSON to the model, which recovers', async () => {
    const { run, events, server } = await loopWith([
      { tool_calls: [{ name: 'echo', args: { word: 3 } }] },
      { tool_calls: [{ name: 'teleport', args: {} }] },
      { tool_calls: [{ name: 'echo', raw_arguments: '{"word": ' }] },
      { tool_calls: [{ name: 'done', args: { summary: 'recovered' } }] },
    ]);
    expect((await run).value).toEqual({ summary: 'recovered' });
    expect(server.requests.map((r) => r.lastMessage).slice(1)).toEqual([
      'Error: invalid arguments for echo: word: Invalid input: expected string, received number',
      'Error: there is no tool "teleport". Tools: echo, fatal, done.',
      expect.stringMatching(/^Error: the arguments of echo are not valid JSON/),
    ]);
    expect(events.filter((e) => e.data.code === 'TOOL_INVALID_ARGS')).toHaveLength(2);
  });

  it('ends the job when a tool fails for good', async () => {
    const { run } = await loopWith([
      { tool_calls: [{ name: 'fatal', args: {} }] },
      { tool_calls: [{ name: 'done', args: { summary: 'never' } }] },
    ]);
    const error = await failure(run);
    expect([error.code, error.message]).toEqual(['PLAN_INVALID', 'rejected for good']);
  });

  it('stops an agent that repeats itself as stuck', async () => {
    const same = { tool_calls: [{ name: 'echo', args: { word: 'again' } }] };
    const { run } = await loopWith([same, same, same, same, same]);
    const error = await failure(run);
    expect(error.code).toBe('AGENT_STUCK');
  });

  it('gives up after maxSteps', async () => {
    const { run } = await loopWith(
      ['a', 'b', 'c'].map((word) => ({ tool_calls: [{ name: 'echo', args: { word } }] })),
      3,
    );
    const error = await failure(run);
    expect(error.code).toBe('AGENT_MAX_STEPS');
    expect(error.message).toBe('the agent used all 3 steps without calling done');
  });

  it('nudges an agent that only talks, then fails it', async () => {
    const { run, server } = await loopWith([
      { content: 'thinking' },
      { content: 'still' },
      { content: 'more' },
      { content: 'no' },
    ]);
    const error = await failure(run);
    expect(error.code).toBe('AGENT_NO_FINISH');
    expect(server.requests[1]?.lastMessage).toBe('Continue with the tools. When you are done, call done.');
  });
});

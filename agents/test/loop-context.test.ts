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

/** A file of `lines` numbered lines, as read_file shows one. */
const fileText = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `${String(i + 1).padStart(5)}\tconst line${i + 1} = ${i + 1};`).join('\n');

const read = defineTool({
  name: 'read_file',
  description: 'Read a file',
  schema: z.object({ path: z.string(), lines: z.number().int() }),
  async run(args) {
    return { kind: 'text', text: fileText(args.lines) };
  },
});
const done = defineTool({
  name: 'done',
  description: 'Finish',
  schema: z.object({ summary: z.string() }),
  async run(args) {
    return { kind: 'terminal', value: args };
  },
});
const readCall = (lines: number) => ({ tool_calls: [{ name: 'read_file', args: { path: 'a.ts', lines } }] });

async function loopWith(script: Record<string, unknown>, contextWindow: number | undefined, maxSteps = 10) {
  server = await startScriptedModelServer({
    script: ModelScript.parse({ version: 1, usage: { prompt_tokens: 'counted', completion_tokens: 20 }, ...script }),
    latencyScale: 0,
  });
  const events: Array<{ kind: TraceKind; message: string; data: Record<string, unknown> }> = [];
  const context: ToolContext = {
    role: 'coder',
    workspace: {} as Workspace,
    sandbox: {} as Sandbox,
    emit: (kind, message, data = {}) => events.push({ kind, message, data }),
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
  };
  const run = runAgentLoop({
    model: createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: { taskId: 't', jobId: 'j', role: 'coder' },
      env: {},
    }),
    tools: [read, done],
    terminalTools: ['done'],
    system: 'You read files.',
    user: 'Read a.ts.',
    maxSteps,
    context,
    ...(contextWindow === undefined ? {} : { modelRef: { name: 'scripted', contextWindow } }),
  });
  return { run, events, context, server };
}

describe('the agent loop and the context window', () => {
  it('marks every step request with x-codecrew-purpose: step, and caps a long tool result at its share of the window', async () => {
    const { run, server } = await loopWith(
      { rules: [{ replies: [readCall(5000), { tool_calls: [{ name: 'done', args: { summary: 'ok' } }] }] }] },
      16_000,
    );
    await run;
    expect(server.requests.map((r) => r.headers.purpose)).toEqual(['step', 'step']);
    const [first = 0, second = 0] = server.requests.map((r) => r.promptTokens ?? 0);
    // 5,000 lines are about 50,000 tokens; the result sent back is within 10% of the usable 14,000.
    expect(second - first).toBeLessThan(1500);
    expect(server.requests[1]?.lastMessage).toMatch(/read them with read_file path="a.ts" offset=\d+ limit=\d+/);
  });

  it("meets the server's context_length_exceeded with one compaction and a retry of the same step", async () => {
    // The runtime is told nothing of the window: it assumes 32,768 tokens; the server allows 3,000.
    const { run, events, context, server } = await loopWith(
      {
        context_window: 3000,
        rules: [
          { match: { purpose: 'compact' }, replies: [{ content: 'Done: read a.ts twice. Left: finish.' }] },
          {
            match: { purpose: 'step' },
            replies: [readCall(150), readCall(150), { tool_calls: [{ name: 'done', args: { summary: 'ok' } }] }],
          },
        ],
      },
      undefined,
    );
    const result = await run;
    expect(result).toMatchObject({ tool: 'done', steps: 3 });
    expect(server.requests.map((r) => [r.headers.purpose, r.outcome])).toEqual([
      ['step', 'tool_calls'],
      ['step', 'tool_calls'],
      ['step', 'context_length_exceeded'],
      ['compact', 'content'],
      ['step', 'tool_calls'],
    ]);
    const compactions = events.filter((e) => e.kind === 'context.compacted');
    expect(compactions).toHaveLength(1);
    expect(compactions[0]?.data).toMatchObject({
      step: 3,
      contextWindow: 3000,
      serverContextWindow: 3000,
      serverPromptTokens: server.requests[2]?.promptTokens,
      byModel: true,
    });
    expect(server.requests[4]?.promptTokens).toBeLessThanOrEqual(3000);
    // The compaction request counts with the job: four answered calls, each 20 completion tokens.
    expect(context.meter.usage).toMatchObject({ calls: 4, completionTokens: 80 });
    expect(result.usage.calls).toBe(4);
  });

  it('fails the job with the reason when even the system prompt and task do not fit', async () => {
    const { run, server } = await loopWith(
      { context_window: 20, rules: [{ replies: [{ content: 'never' }] }] },
      undefined,
    );
    let failure: unknown;
    try {
      await run;
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CodecrewError);
    expect((failure as CodecrewError).code).toBe('MODEL_ERROR');
    expect((failure as CodecrewError).details).toMatchObject({ reason: 'context_length_exceeded', contextWindow: 20 });
    // The step was sent twice: once, and once more after the runtime had done what it could.
    expect(server.requests.filter((r) => r.headers.purpose === 'step')).toHaveLength(2);
  });
});

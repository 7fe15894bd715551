import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STEERING_HEADER, emptyUsage, isSteeringFor, steeringPrompt, type SteeringMessage } from '@codecrew/core';
import {
  ChatTokenCounter,
  ModelScript,
  createChatModel,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '@codecrew/llm';
import type { Sandbox, Workspace } from '@codecrew/sandbox';
import { defineTool, runAgentLoop, type SteeringInbox, type ToolContext } from '../src/index.ts';
import { compactConversation } from '../src/runtime/context/compact.ts';
import { FileLedger } from '../src/runtime/context/files.ts';

const message = (to: SteeringMessage['to'], taskId = 't1'): SteeringMessage => ({
  id: 'm1',
  taskId,
  text: 'use tabs',
  to,
  at: '2026-01-01T00:00:00.000Z',
});
const planner = { id: 't1-plan', taskId: 't1', role: 'planner' } as const;
const coderS1 = { id: 't1-code-s1-r1-a1', taskId: 't1', role: 'coder', subtaskId: 's1' } as const;
const coderS2 = { id: 't1-code-s2-r1-a1', taskId: 't1', role: 'coder', subtaskId: 's2' } as const;
const reviewer = { id: 't1-review-r1', taskId: 't1', role: 'reviewer' } as const;
const tester = { id: 't1-test-r1', taskId: 't1', role: 'tester' } as const;

describe('isSteeringFor', () => {
  it('sends a task-wide message to the planner and every coder, not to the tester or reviewer', () => {
    const toTask = message({ kind: 'task' });
    expect([planner, coderS1, coderS2, reviewer, tester].map((job) => isSteeringFor(toTask, job))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("sends a subtask's message to that subtask's coders only", () => {
    const toS1 = message({ kind: 'subtask', subtaskId: 's1' });
    const laterRound = { ...coderS1, id: 't1-code-s1-r2-a1' };
    expect([planner, coderS1, laterRound, coderS2, reviewer].map((job) => isSteeringFor(toS1, job))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it("sends a job's message to that job only, whatever its role", () => {
    const toReviewer = message({ kind: 'job', jobId: reviewer.id });
    expect([planner, coderS1, reviewer].map((job) => isSteeringFor(toReviewer, job))).toEqual([false, false, true]);
  });

  it('sends a task-wide message to the asker of an ask task', () => {
    const asker = { id: 't1-ask', taskId: 't1', role: 'asker' } as const;
    expect(isSteeringFor(message({ kind: 'task' }), asker)).toBe(true);
  });

  it('never crosses tasks', () => {
    expect(isSteeringFor(message({ kind: 'task' }, 't2'), coderS1)).toBe(false);
  });
});

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const look = defineTool({
  name: 'look',
  description: 'Look around',
  schema: z.object({}),
  async run() {
    return { kind: 'text', text: 'nothing here' };
  },
});
const finish = defineTool({
  name: 'finish',
  description: 'Finish',
  schema: z.object({ summary: z.string().min(1) }),
  async run(args) {
    return { kind: 'terminal', value: args };
  },
});

/** An inbox that hands out the given texts on its n-th look (1: before the first model call). */
function inboxWith(byLook: Record<number, string[]>): SteeringInbox & { looks: number } {
  return {
    looks: 0,
    async take() {
      this.looks += 1;
      return byLook[this.looks] ?? [];
    },
  };
}

async function runWith(inbox: SteeringInbox) {
  server = await startScriptedModelServer({
    script: ModelScript.parse({
      version: 1,
      rules: [
        {
          match: { last_message: 'Message from the user[\\s\\S]*use tabs' },
          replies: [{ tool_calls: [{ name: 'finish', args: { summary: 'steered: tabs' } }] }],
        },
        {
          match: {},
          replies: [
            { tool_calls: [{ name: 'look', args: {} }] },
            { tool_calls: [{ name: 'finish', args: { summary: 'as planned' } }] },
          ],
        },
      ],
    }),
  });
  const context: ToolContext = {
    role: 'coder',
    // The loop never touches these: the tools above do not use them.
    workspace: {} as Workspace,
    sandbox: {} as Sandbox,
    emit: () => undefined,
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
    steering: inbox,
  };
  const model = createChatModel({
    model: { name: 'scripted', baseURL: server.url },
    context: { taskId: 't1', jobId: coderS1.id, role: 'coder', subtaskId: 's1' },
  });
  const result = await runAgentLoop({
    model,
    tools: [look, finish],
    terminalTools: ['finish'],
    system: 'sys',
    user: 'go',
    maxSteps: 5,
    context,
  });
  return { result, requests: server.requests };
}

describe('steering in the agent loop', () => {
  it("puts a message that arrives between steps into the next model call, as the user's", async () => {
    const { result, requests } = await runWith(inboxWith({ 2: ['use tabs'] }));
    expect(result.value).toEqual({ summary: 'steered: tabs' });
    expect(requests.map((request) => request.lastMessage)).toEqual(['go', steeringPrompt('use tabs')]);
    expect(steeringPrompt('use tabs').startsWith(STEERING_HEADER)).toBe(true);
  });

  it('puts a message that is there before the first call after the task', async () => {
    const { result, requests } = await runWith(inboxWith({ 1: ['use tabs'] }));
    expect(result.value).toEqual({ summary: 'steered: tabs' });
    expect(requests.map((request) => request.lastMessage)).toEqual([steeringPrompt('use tabs')]);
  });

  it('leaves the conversation as it is when nothing was said', async () => {
    const inbox = inboxWith({});
    const { result, requests } = await runWith(inbox);
    expect(result.value).toEqual({ summary: 'as planned' });
    expect(requests.map((request) => request.lastMessage)).toEqual(['go', 'nothing here']);
    expect(inbox.looks).toBe(2);
  });
});

describe('steering and compaction', () => {
  it("keeps the user's messages word for word when the steps around them are summarised", async () => {
    server = await startScriptedModelServer({
      script: ModelScript.parse({
        version: 1,
        rules: [{ match: { purpose: 'compact' }, replies: [{ content: 'Read a.ts.' }] }],
      }),
    });
    const model = createChatModel({
      model: { name: 'scripted', baseURL: server.url },
      context: { taskId: 't1', jobId: coderS1.id, role: 'coder', subtaskId: 's1' },
    });
    const said = new HumanMessage(steeringPrompt('use tabs'));
    const messages: BaseMessage[] = [
      new SystemMessage('You are a coder.'),
      new HumanMessage('Fix the parser.'),
      new AIMessage({ content: '', tool_calls: [{ id: 'r1', name: 'read_file', args: { path: 'a.ts' } }] }),
      new ToolMessage({ content: 'const a = 1;', tool_call_id: 'r1' }),
      said,
      new AIMessage({ content: '', tool_calls: [{ id: 'r2', name: 'read_file', args: { path: 'b.ts' } }] }),
      new ToolMessage({ content: 'const b = 2;', tool_call_id: 'r2' }),
    ];
    const counter = new ChatTokenCounter('scripted');
    await compactConversation(messages, {
      keepFrom: 5,
      model,
      count: (text) => counter.text(text),
      requestBudget: 6000,
      summaryBudget: 300,
      files: new FileLedger(),
      signal: new AbortController().signal,
    });
    expect(messages.map((message) => message.getType())).toEqual(['system', 'human', 'human', 'human', 'ai', 'tool']);
    expect(String(messages[2]?.content)).toContain('Read a.ts.');
    expect(messages[3]).toBe(said);
  });
});

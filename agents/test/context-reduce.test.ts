import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceKind } from '@codecrew/core';
import {
  ChatTokenCounter,
  ModelScript,
  createChatModel,
  startScriptedModelServer,
  type ScriptedModelServer,
} from '@codecrew/llm';
import { compactConversation } from '../src/runtime/context/compact.ts';
import { recentStart } from '../src/runtime/context/conversation.ts';
import { ELIDED_MARK, elideOldResults } from '../src/runtime/context/elide.ts';
import { FileLedger, patchPaths } from '../src/runtime/context/files.ts';
import { ContextManager } from '../src/runtime/context/manager.ts';

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const counter = new ChatTokenCounter('scripted');
const tokens = (message: BaseMessage): number => counter.message(message);
const countText = (text: string): number => counter.text(text);

/** A conversation of `steps` steps, each reading one file of `lines` lines. */
function conversation(steps: number, lines = 60): BaseMessage[] {
  const messages: BaseMessage[] = [new SystemMessage('You are a coder.'), new HumanMessage('Fix the parser.')];
  for (let step = 1; step <= steps; step += 1) messages.push(...readStep(step, lines));
  return messages;
}

function readStep(step: number, lines: number): BaseMessage[] {
  const id = `call_${step}`;
  const body = Array.from({ length: lines }, (_, i) => `${i + 1}\tline ${i + 1} of file ${step}`).join('\n');
  return [
    new AIMessage({ content: '', tool_calls: [{ id, name: 'read_file', args: { path: `src/f${step}.ts` } }] }),
    new ToolMessage({ content: body, tool_call_id: id }),
  ];
}

/** Every tool message answers a call of the assistant message before it: what a strict server checks. */
function answeredInOrder(messages: readonly BaseMessage[]): boolean {
  let open = new Set<string>();
  for (const message of messages) {
    if (message instanceof AIMessage) open = new Set((message.tool_calls ?? []).map((call) => call.id ?? ''));
    else if (message instanceof ToolMessage) {
      if (!open.delete(message.tool_call_id)) return false;
    }
  }
  return true;
}

async function modelWith(rules: unknown[], contextWindow?: number) {
  server = await startScriptedModelServer({
    script: ModelScript.parse({
      version: 1,
      usage: { prompt_tokens: 'counted', completion_tokens: 50 },
      ...(contextWindow === undefined ? {} : { context_window: contextWindow }),
      rules,
    }),
    latencyScale: 0,
  });
  return createChatModel({
    model: { name: 'scripted', baseURL: server.url },
    context: { taskId: 't', jobId: 'j', role: 'coder' },
    env: {},
  });
}

describe('recentStart', () => {
  it('keeps at most the given steps within the budget, and the last step even when it alone is larger', () => {
    const messages = conversation(6);
    const step = tokens(messages[2] as BaseMessage) + tokens(messages[3] as BaseMessage);
    expect(recentStart(messages, { maxSteps: 3, budget: step * 10, tokens })).toBe(messages.length - 6);
    expect(recentStart(messages, { maxSteps: 3, budget: step * 2, tokens })).toBe(messages.length - 4);
    expect(recentStart(messages, { maxSteps: 3, budget: 1, tokens })).toBe(messages.length - 2);
    expect(recentStart(messages, { maxSteps: 3, budget: 1, tokens, allowNone: true })).toBe(messages.length);
  });
});

describe('elideOldResults', () => {
  it('replaces old tool results by a note, oldest first, down to the target, and leaves the latest steps alone', () => {
    const messages = conversation(8);
    const original = [...messages];
    const total = counter.prompt(messages);
    const keepFrom = messages.length - 4;
    const target = total - 2 * tokens(messages[3] as BaseMessage);
    const elision = elideOldResults(messages, { keepFrom, total, target, tokens });
    expect(elision.elided).toBe(3);
    expect(counter.prompt(messages)).toBe(total - elision.saved);
    expect(counter.prompt(messages)).toBeLessThanOrEqual(target);
    expect(String(messages[3]?.content)).toBe(
      `${ELIDED_MARK} the result of read_file {"path":"src/f1.ts"} (${tokens(original[3] as BaseMessage)} tokens) was removed to keep the conversation within the model's context; call the tool again if you need it]`,
    );
    expect(String(messages[7]?.content).startsWith(ELIDED_MARK)).toBe(true);
    expect(String(messages[9]?.content).startsWith(ELIDED_MARK)).toBe(false);
    expect(messages.slice(keepFrom)).toEqual(original.slice(keepFrom));
    expect(messages.slice(0, 3)).toEqual(original.slice(0, 3));
    expect(answeredInOrder(messages)).toBe(true);
  });

  it("shortens long arguments of old calls, such as a file's whole content", () => {
    const content = 'export const x = 1;\n'.repeat(200);
    const messages: BaseMessage[] = [
      new SystemMessage('s'),
      new HumanMessage('t'),
      new AIMessage({ content: '', tool_calls: [{ id: 'w', name: 'write_file', args: { path: 'a.ts', content } }] }),
      new ToolMessage({ content: 'ok', tool_call_id: 'w' }),
      ...readStep(2, 5),
    ];
    elideOldResults(messages, { keepFrom: 4, total: counter.prompt(messages), target: 0, tokens });
    expect((messages[2] as AIMessage).tool_calls?.[0]?.args).toEqual({
      path: 'a.ts',
      content: `${ELIDED_MARK} ${content.length} characters, sent in an earlier step]`,
    });
    expect(messages[3]?.content).toBe('ok');
  });
});

describe('FileLedger', () => {
  it('gathers the files written, edited, patched and read', () => {
    const ledger = new FileLedger();
    const patch =
      '--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1 +1 @@\n-a\n+b\n*** Begin Patch\n*** Add File: src/new.ts\n+x\n*** End Patch\n';
    expect(patchPaths(patch)).toEqual(['src/x.ts', 'src/new.ts']);
    ledger.record([
      new AIMessage({
        content: '',
        tool_calls: [
          { id: '1', name: 'write_file', args: { path: 'a.ts', content: '' } },
          { id: '2', name: 'read_file', args: { path: 'b.ts' } },
          { id: '3', name: 'read_file', args: { path: 'a.ts' } },
          { id: '4', name: 'apply_patch', args: { patch } },
        ],
      }),
    ]);
    expect(ledger.describe()).toBe(
      'Files you changed with the file tools: a.ts, src/new.ts, src/x.ts.\nFiles you read: b.ts.',
    );
  });
});

describe('compactConversation', () => {
  it('replaces the older steps by a summary the model writes in a separate compact request, keeping the latest steps', async () => {
    const model = await modelWith([
      { match: { purpose: 'compact' }, replies: [{ content: '<think>hm</think>Done: read f1-f5.\nLeft: fix it.' }] },
    ]);
    const messages = conversation(6);
    const kept = messages.slice(-2);
    const files = new FileLedger();
    const compaction = await compactConversation(messages, {
      keepFrom: messages.length - 2,
      model,
      count: countText,
      requestBudget: 6000,
      summaryBudget: 500,
      files,
      signal: new AbortController().signal,
    });
    expect(compaction).toMatchObject({ byModel: true, summary: 'Done: read f1-f5.\nLeft: fix it.', messages: 10 });
    expect(messages).toHaveLength(5);
    expect(messages.slice(0, 2).map((m) => m.content)).toEqual(['You are a coder.', 'Fix the parser.']);
    expect(messages[2]).toBeInstanceOf(HumanMessage);
    expect(String(messages[2]?.content)).toBe(
      "[Summary of your earlier steps, made to keep the conversation within the model's context]\n\n" +
        'Done: read f1-f5.\nLeft: fix it.\n\n' +
        'Files you changed with the file tools: none.\nFiles you read: src/f1.ts, src/f2.ts, src/f3.ts, src/f4.ts, src/f5.ts.\n' +
        'Continue the task from here. Read files again when you need their exact content.',
    );
    expect(messages.slice(3)).toEqual(kept);
    const request = server?.requests[0];
    expect(request?.headers.purpose).toBe('compact');
    expect(request?.lastMessage).toMatch(/^The task:\nFix the parser\.\n\nThe agent's steps so far:\nCALL read_file/);
  });

  it('stands a list of the steps in for the summary when the summary request fails, so the job goes on', async () => {
    const model = await modelWith([{ replies: [{ error: { status: 400, body: 'no summaries today' } }] }]);
    const messages = conversation(4);
    const compaction = await compactConversation(messages, {
      keepFrom: messages.length,
      model,
      count: countText,
      requestBudget: 6000,
      summaryBudget: 300,
      files: new FileLedger(),
      signal: new AbortController().signal,
    });
    expect(compaction.byModel).toBe(false);
    expect(compaction.error).toContain('no summaries today');
    expect(messages).toHaveLength(3);
    expect(String(messages[2]?.content)).toContain('The summary could not be written');
    expect(String(messages[2]?.content)).toContain('CALL read_file {"path":"src/f4.ts"}');
    expect(countText(compaction.summary)).toBeLessThanOrEqual(300);
  });
});

describe('ContextManager', () => {
  function managerWith(model: Awaited<ReturnType<typeof modelWith>>, contextWindow: number) {
    const events: Array<{ kind: TraceKind; message: string; data: Record<string, unknown> }> = [];
    const replies: AIMessage[] = [];
    const manager = new ContextManager({
      model,
      modelName: 'scripted',
      contextWindow,
      tools: [],
      emit: (kind, message, data = {}) => events.push({ kind, message, data }),
      signal: new AbortController().signal,
      onModelReply: (reply) => replies.push(reply),
    });
    return { manager, events, replies };
  }

  it('leaves a conversation below the high-water mark as it is', async () => {
    const { manager, events } = managerWith(await modelWith([{ replies: [{ content: 'x' }] }]), 16_000);
    const messages = conversation(3);
    const before = [...messages];
    await manager.fit(messages, 4);
    expect(messages).toEqual(before);
    expect(messages.every((message, i) => message === before[i])).toBe(true);
    expect(events).toEqual([]);
  });

  it('elides old results down to the low-water mark in one go, then lets the conversation grow unchanged', async () => {
    const { manager, events } = managerWith(await modelWith([{ replies: [{ content: 'x' }] }]), 64_000);
    const { high, low } = manager.budget;
    const messages = conversation(1, 150);
    let step = 1;
    while (manager.promptTokens(messages) <= high) messages.push(...readStep((step += 1), 150));
    const before = manager.promptTokens(messages);
    await manager.fit(messages, step);
    expect(events.map((e) => e.kind)).toEqual(['context.elided']);
    expect(events[0]?.data).toMatchObject({ step, before, after: manager.promptTokens(messages) });
    expect(manager.promptTokens(messages)).toBeLessThanOrEqual(low);
    expect(answeredInOrder(messages)).toBe(true);
    // Until the conversation passes the high-water mark again, each request extends the one before it.
    let previous = [...messages];
    while (manager.promptTokens([...messages, ...readStep(step + 1, 150)]) <= high) {
      messages.push(...readStep((step += 1), 150));
      await manager.fit(messages, step);
      expect(messages.slice(0, previous.length).every((message, i) => message === previous[i])).toBe(true);
      previous = [...messages];
    }
    expect(events).toHaveLength(1);
  });

  it('compacts when eliding cannot reach the low-water mark, counting the request with the job', async () => {
    const model = await modelWith([
      { match: { purpose: 'compact' }, replies: [{ content: 'Done: a lot. Left: a little.' }] },
    ]);
    const { manager, events, replies } = managerWith(model, 8_000);
    // Few steps with large results: keeping the latest ones leaves too much to reach the low-water mark by eliding.
    const messages = conversation(1, 400);
    let step = 1;
    while (manager.promptTokens(messages) <= manager.budget.high) messages.push(...readStep((step += 1), 400));
    await manager.fit(messages, step);
    expect(events.map((e) => e.kind)).toEqual(['context.compacted']);
    expect(events[0]?.data).toMatchObject({ step, byModel: true, after: manager.promptTokens(messages) });
    expect(manager.promptTokens(messages)).toBeLessThanOrEqual(manager.budget.high);
    expect(replies).toHaveLength(1);
    expect(String(messages[2]?.content)).toContain('Done: a lot. Left: a little.');
    expect(answeredInOrder(messages)).toBe(true);
  });

  it("recovers from a server's overflow: adopts the smaller window it names, scales its counts up and compacts", async () => {
    const model = await modelWith([{ match: { purpose: 'compact' }, replies: [{ content: 'Summary.' }] }]);
    const { manager, events } = managerWith(model, 64_000);
    const messages = conversation(6, 100);
    const counted = manager.promptTokens(messages);
    await manager.recover(messages, { message: 'too long', contextWindow: 4096, promptTokens: counted * 2 }, 7);
    expect(manager.budget.window).toBe(4096);
    expect(events.map((e) => e.kind)).toEqual(['context.compacted']);
    expect(events[0]?.data).toMatchObject({ step: 7, serverContextWindow: 4096, serverPromptTokens: counted * 2 });
    expect(manager.promptTokens(messages)).toBeLessThanOrEqual(manager.budget.limit);
    expect(manager.promptTokens([new HumanMessage('x'.repeat(400))])).toBe(
      2 * counter.prompt([new HumanMessage('x'.repeat(400))]),
    );
  });

  it('cuts a task message too long for the window to its head and tail, once, and changes nothing else', async () => {
    const { manager, events } = managerWith(await modelWith([{ replies: [{ content: 'x' }] }]), 16_000);
    const diff = Array.from({ length: 2500 }, (_, i) => `+ const changed${i} = ${i}; // a line of a long diff`).join(
      '\n',
    );
    const messages: BaseMessage[] = [new SystemMessage('You review.'), new HumanMessage(`Review this diff:\n${diff}`)];
    await manager.fit(messages, 1);
    expect(events.map((e) => [e.kind, e.data.task])).toEqual([['context.elided', true]]);
    expect(manager.promptTokens(messages)).toBeLessThanOrEqual(manager.budget.low);
    const task = String(messages[1]?.content);
    expect(task).toMatch(/^Review this diff:\n\+ const changed0 = 0;/);
    expect(task).toMatch(/\[… \d+ tokens of the task cut to fit the model's context …\]/);
    expect(task).toMatch(/const changed2499 = 2499; \/\/ a line of a long diff$/);
    await manager.fit(messages, 2);
    expect(events).toHaveLength(1);
  });

  it('caps a tool result at its share of the window', async () => {
    const { manager } = managerWith(await modelWith([{ replies: [{ content: 'x' }] }]), 16_000);
    const text = Array.from({ length: 2000 }, (_, i) => `${i + 1}\tline ${i + 1}`).join('\n');
    const capped = manager.capToolResult('read_file', { path: 'a.ts' }, text);
    expect(countText(capped)).toBeLessThanOrEqual(manager.budget.toolResult);
    expect(capped).toContain('read them with read_file path="a.ts"');
  });
});

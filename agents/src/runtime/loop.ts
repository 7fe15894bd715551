import { HumanMessage, SystemMessage, ToolMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { CodecrewError, addUsage, emptyUsage, type ModelPrice, type ModelRef, type Usage } from '@codecrew/core';
import { contextOverflowOf, contextWindowOf, modelErrorOf, purposeOptions, usageOf } from '@codecrew/llm';
import { abortError, withCallSignal } from './abort.ts';
import { ContextManager } from './context/manager.ts';
import { cutOffTextMessage, nudgeMessage, stepsWarning, warningStep } from './feedback.ts';
import { checkJobBudget, type JobBudget } from './job-budget.ts';
import { LoopGuard } from './loop-guard.ts';
import { readReply, type ModelTurn } from './reply.ts';
import { toOpenAITool, type ToolContext, type ToolDefinition } from './tool.ts';
import { runToolCall } from './tool-call.ts';
import { addSteering } from './steering.ts';

export { abortError } from './abort.ts';

/** Everything one agent run needs. */
export interface AgentLoopOptions {
  model: BaseChatModel;
  tools: ToolDefinition[];
  /** Names of the tools that end the run (submit_plan, finish, ...). */
  terminalTools: string[];
  system: string;
  user: string;
  maxSteps: number;
  context: ToolContext;
  /** The model's price; cached input is costed at its own price when it has one. */
  price?: ModelPrice | undefined;
  /** What is left of the task's budgets; no model call starts past it. */
  budget?: JobBudget | undefined;
  /**
   * The job's model: its name chooses how tokens are counted, and its
   * `contextWindow` (else what codecrew knows of the model) and
   * `maxOutputTokens` size the conversation (see ContextManager). Absent: the
   * chat model's own name.
   */
  modelRef?: ModelRef | undefined;
}

/** How an agent run ended. */
export interface AgentLoopResult {
  tool: string;
  value: unknown;
  usage: Usage;
  steps: number;
}

/** How many replies in a row may come without a tool call before the job fails. */
const MAX_TEXT_REPLIES = 3;

/**
 * Runs the tool loop: ask the model, run the tools it calls, feed the results
 * back, until a terminal tool is called with valid arguments or a limit is hit.
 * Every request is a valid conversation: each call of a reply is answered,
 * even one that could not run.
 */
export async function runAgentLoop(options: AgentLoopOptions): Promise<AgentLoopResult> {
  const { context, tools, terminalTools } = options;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  if (typeof options.model.bindTools !== 'function') {
    throw new CodecrewError('MODEL_ERROR', 'the configured model cannot call tools');
  }
  const openAITools = tools.map(toOpenAITool);
  const model = options.model.bindTools(openAITools);
  const messages: BaseMessage[] = [new SystemMessage(options.system), new HumanMessage(options.user)];
  const guard = new LoopGuard();
  const warnAt = warningStep(options.maxSteps);
  let usage = emptyUsage();
  const account = (reply: AIMessage): Usage => {
    const callUsage = usageOf(reply, options.price);
    usage = addUsage(usage, callUsage);
    context.meter.usage = addUsage(context.meter.usage, callUsage);
    return callUsage;
  };
  const modelName = options.modelRef?.name ?? chatModelName(options.model);
  const window = new ContextManager({
    model: options.model,
    modelName,
    contextWindow: contextWindowOf(modelName, options.modelRef?.contextWindow),
    maxOutputTokens: options.modelRef?.maxOutputTokens,
    tools: openAITools,
    emit: context.emit,
    signal: context.signal,
    onModelReply: (reply) => {
      account(reply);
    },
  });
  let textReplies = 0;

  for (let step = 1; step <= options.maxSteps; step += 1) {
    if (context.signal.aborted) throw abortError(context.signal);
    checkJobBudget(usage, options.budget);
    // What the user said since the last step reaches the model in this call.
    await addSteering(messages, context.steering);
    await window.fit(messages, step);
    const started = Date.now();
    const reply = await askModel(model, messages, window, step, context);
    const callUsage = account(reply);
    context.meter.steps += 1;
    const turn = readReply(reply, step, byName);
    emitModelCall(context, turn, reply, { step, durationMs: Date.now() - started, usage: callUsage });
    if (turn.history !== null) messages.push(turn.history);

    if (turn.calls.length === 0) {
      textReplies += 1;
      if (textReplies > MAX_TEXT_REPLIES) {
        throw new CodecrewError(
          'AGENT_NO_FINISH',
          `the agent answered ${textReplies} times in a row without calling a tool (it must end with ${terminalTools.join(' or ')})`,
        );
      }
      const text = turn.cutOff
        ? cutOffTextMessage(turn.cutOff.tokens, terminalTools)
        : nudgeMessage(terminalTools, turn.unreadable);
      messages.push(new HumanMessage(text));
    } else {
      textReplies = 0;
    }
    for (const call of turn.calls) {
      const outcome = await runToolCall(call, turn, byName, context, (tool, args, text) =>
        window.capToolResult(tool, args, text),
      );
      if (outcome.kind === 'terminal') return { tool: call.name, value: outcome.value, usage, steps: step };
      messages.push(outcome.message);
      if (
        guard.record(call.name, outcome.args, outcome.text, { step, ...(outcome.refused ? { isError: true } : {}) })
      ) {
        throw new CodecrewError('AGENT_STUCK', `the agent is stuck: ${guard.reason}; stopped`, {
          details: { tool: call.name },
        });
      }
    }
    if (step === warnAt) addNote(messages, stepsWarning(step, options.maxSteps, terminalTools));
  }
  throw new CodecrewError(
    'AGENT_MAX_STEPS',
    `the agent used all ${options.maxSteps} steps without calling ${terminalTools.join(' or ')}`,
    { details: { maxSteps: options.maxSteps } },
  );
}

/**
 * Asks the model for the next step. A server's answer that the prompt is
 * longer than the model's context window is met once per step: the
 * conversation is compacted (ContextManager.recover) and the request sent
 * again; a second refusal fails the job.
 */
async function askModel(
  model: { invoke: BaseChatModel['invoke'] },
  messages: BaseMessage[],
  window: ContextManager,
  step: number,
  context: ToolContext,
): Promise<AIMessage> {
  for (let recovered = false; ; recovered = true) {
    try {
      return (await withCallSignal(context.signal, (signal) =>
        model.invoke(messages, { signal, ...purposeOptions('step') }),
      )) as AIMessage;
    } catch (cause) {
      if (context.signal.aborted) throw abortError(context.signal, cause);
      const overflow = contextOverflowOf(cause);
      if (overflow === undefined || recovered) throw modelErrorOf(cause);
      await window.recover(messages, overflow, step);
    }
  }
}

/** The model name a chat model sends (ChatOpenAI's `model`), for a loop given no ModelRef. */
function chatModelName(model: BaseChatModel): string {
  const name = (model as { model?: unknown }).model;
  return typeof name === 'string' ? name : 'unknown';
}

/** Adds a line to the last message the model will read: a tool result or a user message. */
function addNote(messages: BaseMessage[], note: string): void {
  const last = messages.at(-1);
  if (last instanceof ToolMessage && typeof last.content === 'string') {
    messages[messages.length - 1] = new ToolMessage({
      content: `${last.content}\n\n${note}`,
      tool_call_id: last.tool_call_id,
      ...(last.status === undefined ? {} : { status: last.status }),
    });
  } else if (last instanceof HumanMessage && typeof last.content === 'string') {
    messages[messages.length - 1] = new HumanMessage(`${last.content}\n\n${note}`);
  } else {
    messages.push(new HumanMessage(note));
  }
}

function emitModelCall(
  context: ToolContext,
  turn: ModelTurn,
  reply: AIMessage,
  info: { step: number; durationMs: number; usage: Usage },
): void {
  const content = typeof reply.content === 'string' ? reply.content : turn.text;
  const cut = turn.cutOff === null ? '' : ', cut off at the output limit';
  const written = turn.fromText ? ' written as text' : '';
  context.emit('model.call', `model answered with ${turn.calls.length} tool call(s)${written}${cut}`, {
    step: info.step,
    durationMs: info.durationMs,
    promptTokens: info.usage.promptTokens,
    completionTokens: info.usage.completionTokens,
    tools: turn.calls.map((call) => call.name),
    content: content.slice(0, 2000),
    ...(turn.cutOff === null ? {} : { finishReason: 'length' }),
    ...(turn.fromText ? { fromText: true } : {}),
  });
}

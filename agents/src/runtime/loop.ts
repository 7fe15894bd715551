import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { CodecrewError, addUsage, emptyUsage, type Usage } from '@codecrew/core';
import { modelErrorOf, usageOf } from '@codecrew/llm';
import { LoopGuard } from './loop-guard.ts';
import { describeArgIssues, toOpenAITool, type ToolContext, type ToolDefinition } from './tool.ts';

/** The error to end a job with once its signal is aborted: the abort's own reason (a timeout) or a cancellation. */
export function abortError(signal: AbortSignal, cause?: unknown): CodecrewError {
  const reason: unknown = signal.reason;
  if (reason instanceof CodecrewError) return reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
  return new CodecrewError('CANCELLED', `the job was cancelled: ${text}`, { cause: cause ?? reason });
}

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
  price?: { inputPerMillion: number; outputPerMillion: number };
  /** What is left of the task's budgets; no model call starts past it. */
  budget?: { maxTokens?: number | undefined; maxCostUsd?: number | undefined } | undefined;
}

function checkJobBudget(usage: Usage, budget: AgentLoopOptions['budget']): void {
  if (!budget) return;
  const tokens = usage.promptTokens + usage.completionTokens;
  if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) {
    throw new CodecrewError(
      'BUDGET_EXHAUSTED',
      `the task's token budget ran out in this job (${tokens} tokens used, ${budget.maxTokens} were left)`,
    );
  }
  if (budget.maxCostUsd !== undefined && usage.costUsd >= budget.maxCostUsd) {
    throw new CodecrewError(
      'BUDGET_EXHAUSTED',
      `the task's cost budget ran out in this job ($${usage.costUsd.toFixed(4)} spent, $${budget.maxCostUsd.toFixed(4)} were left)`,
    );
  }
}

/** How an agent run ended. */
export interface AgentLoopResult {
  tool: string;
  value: unknown;
  usage: Usage;
  steps: number;
}

const MAX_NUDGES = 3;
const MAX_TOOL_OUTPUT = 24_000;

function clip(text: string): string {
  if (text.length <= MAX_TOOL_OUTPUT) return text;
  const half = MAX_TOOL_OUTPUT / 2;
  return `${text.slice(0, half)}\n… [${text.length - MAX_TOOL_OUTPUT} characters cut] …\n${text.slice(-half)}`;
}

/**
 * Runs the tool loop: ask the model, run the tools it calls, feed the results
 * back, until a terminal tool is called with valid arguments or a limit is hit.
 */
export async function runAgentLoop(options: AgentLoopOptions): Promise<AgentLoopResult> {
  const { context, tools } = options;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  if (typeof options.model.bindTools !== 'function') {
    throw new CodecrewError('MODEL_ERROR', 'the configured model cannot call tools');
  }
  const model = options.model.bindTools(tools.map(toOpenAITool));
  const messages: BaseMessage[] = [new SystemMessage(options.system), new HumanMessage(options.user)];
  const guard = new LoopGuard();
  let usage = emptyUsage();
  let nudges = 0;

  for (let step = 1; step <= options.maxSteps; step += 1) {
    if (context.signal.aborted) throw abortError(context.signal);
    checkJobBudget(usage, options.budget);
    const started = Date.now();
    let reply: AIMessage;
    try {
      reply = (await model.invoke(messages, { signal: context.signal })) as AIMessage;
    } catch (cause) {
      if (context.signal.aborted) throw abortError(context.signal, cause);
      throw modelErrorOf(cause);
    }
    const callUsage = usageOf(reply, options.price);
    usage = addUsage(usage, callUsage);
    context.meter.usage = addUsage(context.meter.usage, callUsage);
    context.meter.steps += 1;
    const toolCalls = reply.tool_calls ?? [];
    const invalidCalls = reply.invalid_tool_calls ?? [];
    context.emit('model.call', `model answered with ${toolCalls.length + invalidCalls.length} tool call(s)`, {
      step,
      durationMs: Date.now() - started,
      promptTokens: callUsage.promptTokens,
      completionTokens: callUsage.completionTokens,
      tools: toolCalls.map((call) => call.name),
      content: typeof reply.content === 'string' ? reply.content.slice(0, 2000) : '',
    });
    messages.push(reply);

    if (toolCalls.length === 0 && invalidCalls.length === 0) {
      nudges += 1;
      if (nudges > MAX_NUDGES) {
        throw new CodecrewError(
          'AGENT_NO_FINISH',
          `the agent stopped calling tools without calling ${options.terminalTools.join(' or ')}`,
        );
      }
      messages.push(
        new HumanMessage(`Continue with the tools. When you are done, call ${options.terminalTools.join(' or ')}.`),
      );
      continue;
    }

    for (const bad of invalidCalls) {
      const message = `Error: the arguments of ${bad.name ?? 'this call'} are not valid JSON (${bad.error ?? 'parse error'}). Send the call again with a JSON object as arguments.`;
      context.emit('tool.result', message, { tool: bad.name, ok: false, code: 'TOOL_INVALID_ARGS' });
      messages.push(new ToolMessage({ content: message, tool_call_id: bad.id ?? 'invalid', status: 'error' }));
    }

    for (const call of toolCalls) {
      const callId = call.id ?? `call_${step}`;
      const tool = byName.get(call.name);
      if (!tool) {
        const known = [...byName.keys()].join(', ');
        messages.push(
          new ToolMessage({
            content: `Error: there is no tool "${call.name}". Tools: ${known}.`,
            tool_call_id: callId,
            status: 'error',
          }),
        );
        continue;
      }
      const parsed = tool.schema.safeParse(call.args);
      if (!parsed.success) {
        const message = `Error: invalid arguments for ${call.name}: ${describeArgIssues(parsed.error)}`;
        context.emit('tool.result', message, { tool: call.name, ok: false, code: 'TOOL_INVALID_ARGS' });
        messages.push(new ToolMessage({ content: message, tool_call_id: callId, status: 'error' }));
        continue;
      }
      context.emit('tool.call', `${call.name} ${summarizeArgs(parsed.data)}`, {
        tool: call.name,
        args: truncateArgs(parsed.data),
      });
      let resultText: string;
      // A setup error is the job's error, not a tool error for the model to work around.
      await context.ready;
      try {
        const outcome = await tool.run(parsed.data, context);
        if (outcome.kind === 'terminal') {
          return { tool: call.name, value: outcome.value, usage, steps: step };
        }
        resultText = clip(outcome.text);
        context.emit('tool.result', `${call.name} ok`, {
          tool: call.name,
          ok: true,
          excerpt: resultText.slice(0, 500),
        });
      } catch (error) {
        if (context.signal.aborted) throw abortError(context.signal, error);
        // A tool may end the job for good (e.g. a plan rejected too often); everything else goes back to the model.
        if (error instanceof CodecrewError && error.details?.fatal === true) throw error;
        resultText = `Error: ${(error as Error).message}`;
        const code = error instanceof CodecrewError ? error.code : 'TOOL_FAILED';
        context.emit('tool.result', `${call.name} failed: ${(error as Error).message}`, {
          tool: call.name,
          ok: false,
          code,
        });
      }
      messages.push(new ToolMessage({ content: resultText, tool_call_id: callId }));
      if (guard.record(call.name, parsed.data, resultText, { step })) {
        throw new CodecrewError('AGENT_STUCK', `the agent is stuck: ${guard.reason}; stopped`, {
          details: { tool: call.name },
        });
      }
    }
  }
  throw new CodecrewError(
    'AGENT_MAX_STEPS',
    `the agent used all ${options.maxSteps} steps without calling ${options.terminalTools.join(' or ')}`,
    {
      details: { maxSteps: options.maxSteps },
    },
  );
}

function summarizeArgs(args: unknown): string {
  if (args === null || typeof args !== 'object') return '';
  const record = args as Record<string, unknown>;
  const key = ['command', 'path', 'pattern', 'summary'].find((name) => typeof record[name] === 'string');
  if (!key) return '';
  const value = String(record[key]).replace(/\s+/g, ' ');
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}

function truncateArgs(args: unknown): unknown {
  const json = JSON.stringify(args);
  return json.length <= 4000 ? args : { truncated: json.slice(0, 4000) };
}

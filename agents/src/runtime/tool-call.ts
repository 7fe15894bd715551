import { ToolMessage } from '@langchain/core/messages';
import { CodecrewError } from '@codecrew/core';
import { abortError } from './abort.ts';
import { cutOffCallMessage, invalidJsonMessage } from './feedback.ts';
import type { ModelTurn, ReplyCall } from './reply.ts';
import { describeArgIssues, parseToolArgs, type ToolContext, type ToolDefinition } from './tool.ts';

/** Fits a tool's answer to the model's context: the head and tail of a long one, with a note on what was cut. */
export type CapToolResult = (tool: string, args: unknown, text: string) => string;

/** How one call went: the job's end, or the answer to send back (and what the stuck guard records). */
export type CallOutcome =
  | { kind: 'terminal'; value: unknown }
  | {
      kind: 'answer';
      message: ToolMessage;
      /** The arguments as the guard compares them. */
      args: unknown;
      text: string;
      /** The call was refused before it ran (unreadable, unknown tool, invalid arguments). */
      refused: boolean;
    };

function refuse(
  call: ReplyCall,
  text: string,
  code: string,
  args: unknown,
  context: ToolContext,
): Extract<CallOutcome, { kind: 'answer' }> {
  context.emit('tool.result', text, { tool: call.name, ok: false, code });
  return {
    kind: 'answer',
    message: new ToolMessage({ content: text, tool_call_id: call.id, status: 'error' }),
    args,
    text,
    refused: true,
  };
}

/**
 * Runs one call of a model reply and answers it: a call that cannot run
 * (arguments cut off or not JSON, no such tool, arguments that do not fit
 * the tool's schema) is answered with what to do instead; a terminal tool
 * ends the job; any other tool's result or error goes back to the model.
 */
export async function runToolCall(
  call: ReplyCall,
  turn: ModelTurn,
  tools: ReadonlyMap<string, ToolDefinition>,
  context: ToolContext,
  cap: CapToolResult,
): Promise<CallOutcome> {
  if (call.problem?.kind === 'cut_off') {
    return refuse(call, cutOffCallMessage(call.name, turn.cutOff?.tokens), 'TOOL_INVALID_ARGS', '(cut off)', context);
  }
  if (call.problem?.kind === 'invalid_json') {
    const text = invalidJsonMessage(call.name, call.problem.error);
    return refuse(call, text, 'TOOL_INVALID_ARGS', call.problem.raw, context);
  }
  const tool = tools.get(call.name);
  if (!tool) {
    const text = `Error: there is no tool "${call.name}". Tools: ${[...tools.keys()].join(', ')}.`;
    return refuse(call, text, 'TOOL_UNKNOWN', call.args, context);
  }
  const parsed = parseToolArgs(tool, call.args);
  if (!parsed.success) {
    const text = `Error: invalid arguments for ${call.name}: ${describeArgIssues(parsed.error)}`;
    return refuse(call, text, 'TOOL_INVALID_ARGS', call.args, context);
  }
  context.emit('tool.call', `${call.name} ${summarizeArgs(parsed.data)}`, {
    tool: call.name,
    args: truncateArgs(parsed.data),
    ...(turn.fromText ? { fromText: true } : {}),
  });
  let text: string;
  // A setup error is the job's error, not a tool error for the model to work around.
  await context.ready;
  try {
    const outcome = await tool.run(parsed.data, context);
    if (outcome.kind === 'terminal') return { kind: 'terminal', value: outcome.value };
    text = cap(call.name, parsed.data, outcome.text);
    context.emit('tool.result', `${call.name} ok`, { tool: call.name, ok: true, excerpt: text.slice(0, 500) });
  } catch (error) {
    if (context.signal.aborted) throw abortError(context.signal, error);
    // A tool may end the job for good (e.g. a plan rejected too often); everything else goes back to the model.
    if (error instanceof CodecrewError && error.details?.fatal === true) throw error;
    text = cap(call.name, parsed.data, `Error: ${(error as Error).message}`);
    const code = error instanceof CodecrewError ? error.code : 'TOOL_FAILED';
    context.emit('tool.result', `${call.name} failed: ${(error as Error).message}`, {
      tool: call.name,
      ok: false,
      code,
    });
  }
  return {
    kind: 'answer',
    message: new ToolMessage({ content: text, tool_call_id: call.id }),
    args: parsed.data,
    text,
    refused: false,
  };
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

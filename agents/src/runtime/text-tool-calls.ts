import { toOpenAITool, type ToolDefinition } from './tool.ts';

/** A tool call the model wrote into its text instead of sending it as a tool call. */
export type TextToolCall =
  | { name: string; args: Record<string, unknown> }
  /** A call whose tool is named but whose arguments cannot be read. */
  | { name: string; error: string };

/** What was found in a reply's text. */
export interface TextToolCalls {
  calls: TextToolCall[];
  /** The text without the blocks that became calls. */
  text: string;
  /** Blocks that look like tool calls but name no tool, for telling the model. */
  unreadable: string[];
}

const TOOL_CALL_TAG = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;
const FENCED_BLOCK = /```(?:json|tool_call)?[ \t]*\n([\s\S]*?)```/g;
const XML_FUNCTION = /<function=([^>\s]+)>([\s\S]*?)(?:<\/function>|$)/;
const XML_PARAMETER = /<parameter=([^>\s]+)>([\s\S]*?)(?:<\/parameter>|(?=<parameter=)|$)/g;

/**
 * Finds the tool calls a model wrote as text, as local servers leave them
 * when their tool-call parser fails: `<tool_call>{"name": …, "arguments":
 * …}</tool_call>` (Hermes, Qwen), `<tool_call><function=name><parameter=k>v
 * </parameter></function></tool_call>` (Qwen3-Coder), and a fenced ```json
 * block holding `{"name": <a tool>, "arguments": {…}}`. A fenced block counts
 * only when it names one of `tools`, so that JSON examples stay text.
 */
export function parseTextToolCalls(text: string, tools: ReadonlyMap<string, ToolDefinition>): TextToolCalls {
  const calls: TextToolCall[] = [];
  const unreadable: string[] = [];
  let rest = text.replace(TOOL_CALL_TAG, (block, body: string) => {
    const call = readTaggedCall(body, tools);
    if (call === null) {
      unreadable.push(block.trim().slice(0, 200));
      return block;
    }
    calls.push(call);
    return '';
  });
  rest = rest.replace(FENCED_BLOCK, (block, body: string) => {
    const call = readJsonCall(body);
    if (call === null || !tools.has(call.name) || 'error' in call) return block;
    calls.push(call);
    return '';
  });
  return { calls, text: calls.length > 0 ? rest.trim() : text, unreadable };
}

function readTaggedCall(body: string, tools: ReadonlyMap<string, ToolDefinition>): TextToolCall | null {
  const xml = XML_FUNCTION.exec(body);
  if (xml !== null) return readXmlCall(xml[1] ?? '', xml[2] ?? '', tools.get(xml[1] ?? ''));
  return readJsonCall(body);
}

/** `{"name": …, "arguments": {…} or "<JSON>"}` (or `parameters`); null when it is no call. */
function readJsonCall(body: string): TextToolCall | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.trim());
  } catch (error) {
    const name = /"name"\s*:\s*"([^"]+)"/.exec(body)?.[1];
    return name === undefined ? null : { name, error: (error as Error).message };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  if (typeof record.name !== 'string' || record.name === '') return null;
  let args = record.arguments ?? record.parameters ?? {};
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch (error) {
      return { name: record.name, error: (error as Error).message };
    }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { name: record.name, error: 'the arguments are not a JSON object' };
  }
  return { name: record.name, args: args as Record<string, unknown> };
}

/** Qwen3-Coder's form: parameter values are text; those the tool's schema types otherwise are read as JSON. */
function readXmlCall(name: string, body: string, tool: ToolDefinition | undefined): TextToolCall {
  const types = tool === undefined ? {} : parameterTypes(tool);
  const args: Record<string, unknown> = {};
  for (const match of body.matchAll(XML_PARAMETER)) {
    const key = match[1] ?? '';
    const value = (match[2] ?? '').replace(/^\n/, '').replace(/\n$/, '');
    args[key] = types[key] === undefined || types[key] === 'string' ? value : jsonOr(value);
  }
  return { name, args };
}

function parameterTypes(tool: ToolDefinition): Record<string, unknown> {
  const properties = toOpenAITool(tool).function.parameters.properties;
  if (typeof properties !== 'object' || properties === null) return {};
  return Object.fromEntries(
    Object.entries(properties as Record<string, { type?: unknown }>).map(([key, schema]) => [key, schema.type]),
  );
}

function jsonOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

import { countTokens, encodingForModel, type EncodingName } from './tokenizer.ts';

/** A chat message as it is sent to an OpenAI-compatible server (the `messages` of a request). */
export interface WireMessage {
  role: string;
  content?: unknown;
  name?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

/**
 * What OpenAI's chat format adds around messages, in tokens: each message is
 * framed (`<|start|>role<|message|>…<|end|>`, 3 tokens), a name costs one
 * more, and every reply is primed with 3. Tool calls and tool schemas are
 * rendered by the server in a format it does not publish; the per-call and
 * per-tool overheads below count them a little high rather than low.
 */
export const PER_MESSAGE = 3;
export const PER_NAME = 1;
export const REPLY_PRIMING = 3;
export const PER_TOOL_CALL = 4;
export const PER_TOOL = 8;
export const TOOLS_FRAME = 12;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      if (typeof part !== 'object' || part === null) return '';
      const text = (part as { text?: unknown }).text;
      return typeof text === 'string' ? text : '';
    })
    .join('');
}

function toolCallTokens(calls: unknown, encoding: EncodingName): number {
  if (!Array.isArray(calls)) return 0;
  let total = 0;
  for (const call of calls) {
    const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
    if (fn === undefined) continue;
    total += PER_TOOL_CALL;
    total += countTokens(typeof fn.name === 'string' ? fn.name : '', encoding);
    total += countTokens(
      typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
      encoding,
    );
  }
  return total;
}

/** The tokens of one message, framing included. */
export function messageTokens(message: WireMessage, encoding: EncodingName): number {
  let total = PER_MESSAGE + countTokens(message.role, encoding) + countTokens(textOf(message.content), encoding);
  if (typeof message.name === 'string' && message.name !== '') total += PER_NAME + countTokens(message.name, encoding);
  total += toolCallTokens(message.tool_calls, encoding);
  return total;
}

// An agent sends the same tools array with every request: its count is kept per array and encoding.
const toolsCounted = new WeakMap<readonly unknown[], Map<EncodingName, number>>();

/** The tokens the `tools` of a request add to its prompt: each function's name, description and parameters as JSON, and a frame. */
export function toolsTokens(tools: readonly unknown[] | undefined, encoding: EncodingName): number {
  if (tools === undefined || tools.length === 0) return 0;
  let counts = toolsCounted.get(tools);
  if (counts === undefined) {
    counts = new Map();
    toolsCounted.set(tools, counts);
  }
  const known = counts.get(encoding);
  if (known !== undefined) return known;
  let total = TOOLS_FRAME;
  for (const tool of tools) {
    const fn = ((tool as { function?: unknown } | null)?.function ?? tool) as Record<string, unknown> | null;
    // What the model reads of a function: its name, description and parameters (not flags such as `strict`).
    const shown = { name: fn?.name, description: fn?.description, parameters: fn?.parameters };
    total += PER_TOOL + countTokens(JSON.stringify(shown), encoding);
  }
  counts.set(encoding, total);
  return total;
}

/**
 * The prompt tokens of a chat request — its messages and tools, counted with
 * the model's encoding (see {@link encodingForModel}). The agent runtime
 * counts what it is about to send with this, and the scripted model server
 * counts what it receives with the same function, so both agree exactly.
 *
 * @example
 * promptTokens({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello' }] }); // 9
 */
export function promptTokens(request: {
  model: string;
  messages: readonly WireMessage[];
  tools?: readonly unknown[] | undefined;
}): number {
  const encoding = encodingForModel(request.model);
  let total = REPLY_PRIMING + toolsTokens(request.tools, encoding);
  for (const message of request.messages) total += messageTokens(message, encoding);
  return total;
}

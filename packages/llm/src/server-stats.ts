import { promptTokens, type WireMessage } from './prompt-tokens.ts';
import { errorBody } from './protocol.ts';

/** What the statistics read of a recorded request (the server's `RecordedRequest`). */
interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  model: string | undefined;
  promptTokens?: number | undefined;
  rule: number | undefined;
  reply: number | undefined;
  status: number;
  outcome: string;
}

/** What `GET /v1/_stats` answers: every chat or responses request with its prompt's size and what answered it, and totals. */
export interface ScriptedServerStats {
  /** The script's `context_window`, or null when it sets none. */
  contextWindow: number | null;
  requests: Array<{
    at: string;
    headers: Record<string, string>;
    model: string | null;
    promptTokens: number | null;
    /** 1-based rule and reply positions, as the docs count them; null when no rule answered. */
    rule: number | null;
    reply: number | null;
    status: number;
    outcome: string;
  }>;
  totals: {
    requests: number;
    promptTokens: number;
    maxPromptTokens: number;
    /** Requests refused with `context_length_exceeded`. */
    overContextWindow: number;
    byOutcome: Record<string, number>;
    byPurpose: Record<string, number>;
  };
}

/** The prompt tokens of a chat request body, counted as the agent runtime counts them; undefined for a body without messages. */
export function bodyPromptTokens(body: Record<string, unknown>): number | undefined {
  if (!Array.isArray(body.messages)) return undefined;
  const messages = body.messages.filter(
    (message): message is WireMessage =>
      typeof message === 'object' && message !== null && typeof (message as { role?: unknown }).role === 'string',
  );
  return promptTokens({
    model: typeof body.model === 'string' ? body.model : '',
    messages,
    tools: Array.isArray(body.tools) ? body.tools : undefined,
  });
}

/** OpenAI's answer to a prompt longer than the model's context window (HTTP 400). */
export function contextLengthErrorBody(window: number, tokens: number): Record<string, unknown> {
  const body = errorBody(
    `This model's maximum context length is ${window} tokens. However, your messages resulted in ${tokens} tokens. Please reduce the length of the messages.`,
    'invalid_request_error',
    'context_length_exceeded',
  );
  (body.error as Record<string, unknown>).param = 'messages';
  return body;
}

/** The statistics of the chat requests a server saw. */
export function statsOf(requests: readonly RecordedRequest[], contextWindow: number | undefined): ScriptedServerStats {
  const chats = requests.filter(
    (request) => request.path === '/v1/chat/completions' || request.path === '/v1/responses',
  );
  const byOutcome: Record<string, number> = {};
  const byPurpose: Record<string, number> = {};
  let total = 0;
  let max = 0;
  for (const request of chats) {
    byOutcome[request.outcome] = (byOutcome[request.outcome] ?? 0) + 1;
    const purpose = request.headers.purpose ?? '(none)';
    byPurpose[purpose] = (byPurpose[purpose] ?? 0) + 1;
    total += request.promptTokens ?? 0;
    max = Math.max(max, request.promptTokens ?? 0);
  }
  return {
    contextWindow: contextWindow ?? null,
    requests: chats.map((request) => ({
      at: request.at,
      headers: request.headers,
      model: request.model ?? null,
      promptTokens: request.promptTokens ?? null,
      rule: request.rule === undefined ? null : request.rule + 1,
      reply: request.reply === undefined ? null : request.reply + 1,
      status: request.status,
      outcome: request.outcome,
    })),
    totals: {
      requests: chats.length,
      promptTokens: total,
      maxPromptTokens: max,
      overContextWindow: byOutcome.context_length_exceeded ?? 0,
      byOutcome,
      byPurpose,
    },
  };
}

/** One line of the server's log for a request: who sent it, the prompt's size and what answered. */
export function logLine(request: RecordedRequest): string {
  const who = ['agent', 'subtask', 'job', 'purpose']
    .filter((name) => request.headers[name] !== undefined)
    .map((name) => `${name}=${request.headers[name]}`)
    .join(' ');
  const tokens = request.promptTokens === undefined ? '' : ` prompt=${request.promptTokens} tokens`;
  const rule = request.rule === undefined ? '' : ` (rule ${request.rule + 1} reply ${(request.reply ?? 0) + 1})`;
  return `${request.method} ${request.path}${who === '' ? '' : ` ${who}`}${tokens} → ${request.status} ${request.outcome}${rule}`;
}

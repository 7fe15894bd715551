import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodecrewError } from '@codecrew/core';
import { ScriptMatcher, type RequestFacts } from './matcher.ts';
import {
  SCRIPTED_OWNER,
  completionBody,
  errorBody,
  labelModel,
  lastMessageText,
  streamChunks,
  toolCallsOf,
  type Completion,
} from './protocol.ts';
import type { ModelScript, ScriptReply } from './script.ts';
import { registerScriptedEndpoint, unregisterScriptedEndpoint } from './scripted-endpoints.ts';
import { conversationErrorBody, conversationProblem } from './conversation-check.ts';
import { wireUsage } from './wire-usage.ts';
import { bodyPromptTokens, contextLengthErrorBody, logLine, statsOf } from './server-stats.ts';
import { requestSettings, responsesEndpoint } from './responses-endpoint.ts';
import { strictToolsError } from './strict-schema.ts';

/** How the server answered a request. */
export type RecordedOutcome =
  | 'content'
  | 'tool_calls'
  | 'error'
  | 'stream_cut'
  | 'no_match'
  | 'bad_request'
  | 'invalid_conversation'
  | 'context_length_exceeded'
  | 'models'
  | 'not_found';

/** One request the scripted server saw, and what answered it. */
export interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  /** The `x-codecrew-*` headers, keyed without the prefix (`agent`, `job`, ...). */
  headers: Record<string, string>;
  model: string | undefined;
  stream: boolean;
  lastMessage: string;
  /** The prompt's tokens (messages and tools), counted as the agent runtime counts them. */
  promptTokens?: number | undefined;
  /** The body's fields besides the conversation and tools: temperature, max tokens, reasoning effort, extra body... */
  settings?: Record<string, unknown> | undefined;
  /** 0-based rule and reply positions, when a rule answered. */
  rule: number | undefined;
  reply: number | undefined;
  status: number;
  outcome: RecordedOutcome;
}

/** A running scripted model server; dispose or `close()` it when done. */
export interface ScriptedModelServer extends AsyncDisposable {
  /** Base URL for `ChatOpenAI`, ending in `/v1`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface ScriptedModelServerOptions {
  script: ModelScript;
  host?: string;
  port?: number;
  /** Multiplies every `latency_ms` of the script; 0 answers at once. */
  latencyScale?: number;
  /** Sees the parsed body of every chat and responses request before it is answered (for tests that look at the messages sent). */
  onRequest?: (body: Record<string, unknown>, record: RecordedRequest) => void;
  /** Hears one line per request once it is answered: who sent it, its prompt tokens and what answered. */
  onLog?: (line: string) => void;
}

const SCRIPTED_HEADERS = { 'x-codecrew-scripted': '1' } as const;

function codecrewHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-codecrew-') || value === undefined) continue;
    out[name.slice('x-codecrew-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...SCRIPTED_HEADERS,
    ...extra,
  });
  res.end(text);
}

function errorReplyBody(status: number, body: unknown): unknown {
  if (body === undefined)
    return errorBody(
      `scripted error ${status}`,
      status === 429 ? 'rate_limit_error' : 'server_error',
      `scripted_${status}`,
    );
  if (typeof body === 'string') return errorBody(body, 'scripted_error', `scripted_${status}`);
  return body;
}

/**
 * Starts an HTTP server that speaks OpenAI's chat-completions protocol (and its
 * Responses API, see responses-endpoint.ts) and answers from `script`. Every response is labelled as scripted.
 *
 * @example
 * await using server = await startScriptedModelServer({ script: loadModelScript('script.yaml') });
 * const model = createChatModel({ model: { name: 'scripted', baseURL: server.url }, context });
 */
export async function startScriptedModelServer(opts: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  const matcher = new ScriptMatcher(opts.script);
  const scale = opts.latencyScale ?? 1;
  const requests: RecordedRequest[] = [];
  let sequence = 0;
  let callSequence = 0;
  let closed = false;

  const delay = (ms: number): Promise<void> =>
    ms * scale <= 0 || closed ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms * scale).unref());

  async function chat(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('the body is not a JSON object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      record.status = 400;
      record.outcome = 'bad_request';
      sendJson(
        res,
        400,
        errorBody(`request body is not valid JSON: ${(error as Error).message}`, 'invalid_request_error', null),
      );
      return;
    }
    record.model = typeof body.model === 'string' ? body.model : undefined;
    record.stream = body.stream === true;
    record.lastMessage = lastMessageText(body.messages);
    record.promptTokens = bodyPromptTokens(body);
    record.settings = requestSettings(body);
    opts.onRequest?.(body, record);
    const toolsError = strictToolsError(body.tools);
    if (toolsError !== null) {
      record.status = 400;
      record.outcome = 'bad_request';
      sendJson(res, 400, errorBody(toolsError, 'invalid_request_error', 'invalid_function_parameters'));
      return;
    }
    const problem = opts.script.strict ? conversationProblem(body.messages) : null;
    if (problem !== null) {
      record.status = 400;
      record.outcome = 'invalid_conversation';
      sendJson(res, 400, conversationErrorBody(problem));
      return;
    }
    // A prompt over the window takes no reply: the client's next, shorter request gets the one meant for it.
    const window = opts.script.context_window;
    if (window !== undefined && record.promptTokens !== undefined && record.promptTokens > window) {
      record.status = 400;
      record.outcome = 'context_length_exceeded';
      sendJson(res, 400, contextLengthErrorBody(window, record.promptTokens));
      return;
    }
    const facts: RequestFacts = { lastMessage: record.lastMessage };
    const h = record.headers;
    if (h.agent !== undefined) facts.agent = h.agent;
    if (h.subtask !== undefined) facts.subtask = h.subtask;
    if (h.task !== undefined) facts.task = h.task;
    if (h.job !== undefined) facts.job = h.job;
    if (h.attempt !== undefined) facts.attempt = h.attempt;
    if (h.delivery !== undefined) facts.delivery = h.delivery;
    if (h.purpose !== undefined) facts.purpose = h.purpose;
    if (record.model !== undefined) facts.model = record.model;

    // Choosing the reply happens before any await so that one request takes exactly one reply.
    const answer = matcher.next(facts);
    if (answer === undefined) {
      record.status = 400;
      record.outcome = 'no_match';
      sendJson(res, 400, errorBody(matcher.explainNoMatch(facts), 'invalid_request_error', 'scripted_no_match'));
      return;
    }
    record.rule = answer.ruleIndex;
    record.reply = answer.replyIndex;
    const reply = answer.reply;
    await delay(reply.latency_ms ?? opts.script.latency_ms);
    if (closed || res.destroyed) return;

    if (reply.error !== undefined) {
      record.status = reply.error.status;
      record.outcome = 'error';
      const extra: Record<string, string> = {};
      if (reply.error.retry_after_s !== undefined) extra['retry-after'] = String(reply.error.retry_after_s);
      sendJson(res, reply.error.status, errorReplyBody(reply.error.status, reply.error.body), extra);
      return;
    }
    const completion = buildCompletion(reply, record.model, record.promptTokens ?? 0);
    if (reply.stream_cut === true) {
      record.status = 200;
      record.outcome = 'stream_cut';
      if (record.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...SCRIPTED_HEADERS });
        const chunks = streamChunks(completion, false);
        const half = chunks.slice(0, Math.max(1, Math.floor(chunks.length / 2)));
        res.write(half.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join(''));
        // Let the first chunks reach the client, then drop the connection mid-answer.
        await new Promise((resolve) => setTimeout(resolve, 20).unref());
      }
      req.socket.destroy();
      return;
    }
    record.status = 200;
    record.outcome = completion.toolCalls.length > 0 ? 'tool_calls' : 'content';
    if (!record.stream) {
      sendJson(res, 200, completionBody(completion));
      return;
    }
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...SCRIPTED_HEADERS });
    for (const chunk of streamChunks(completion, streamOptions?.include_usage === true))
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  function buildCompletion(reply: ScriptReply, model: string | undefined, promptTokens: number): Completion {
    sequence += 1;
    return {
      id: `chatcmpl-scripted-${sequence}`,
      created: Math.floor(Date.now() / 1000),
      model: labelModel(model),
      content: reply.content ?? (reply.tool_calls === undefined ? '' : null),
      toolCalls: toolCallsOf(reply, () => {
        callSequence += 1;
        return `call_scripted_${callSequence}`;
      }),
      usage: wireUsage(reply, opts.script.usage, promptTokens),
      ...(reply.finish_reason === undefined ? {} : { finishReason: reply.finish_reason }),
    };
  }

  const responses = responsesEndpoint<RecordedRequest>({
    script: opts.script,
    matcher,
    delay,
    isClosed: () => closed,
    readBody,
    sendJson,
    errorReplyBody,
    onRequest: opts.onRequest,
  });

  function models(): Record<string, unknown> {
    const names = new Set(['scripted']);
    for (const rule of opts.script.rules) if (rule.match.model !== undefined) names.add(rule.match.model);
    return {
      object: 'list',
      data: [...names].map((name) => ({ id: labelModel(name), object: 'model', created: 0, owned_by: SCRIPTED_OWNER })),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/v1/_stats') {
      sendJson(res, 200, statsOf(requests, opts.script.context_window));
      return;
    }
    const record: RecordedRequest = {
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      headers: codecrewHeaders(req),
      model: undefined,
      stream: false,
      lastMessage: '',
      rule: undefined,
      reply: undefined,
      status: 200,
      outcome: 'models',
    };
    requests.push(record);
    if (opts.onLog !== undefined) {
      const log = opts.onLog;
      res.once('close', () => log(logLine(record)));
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      await chat(req, res, record);
      return;
    }
    if (req.method === 'POST' && path === '/v1/responses') {
      await responses(req, res, record);
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, models());
      return;
    }
    record.status = 404;
    record.outcome = 'not_found';
    sendJson(
      res,
      404,
      errorBody(
        `the scripted model server serves POST /v1/chat/completions, POST /v1/responses, GET /v1/models and GET /v1/_stats, not ${record.method} ${path}`,
        'invalid_request_error',
        'not_found',
      ),
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendJson(
          res,
          500,
          errorBody(`scripted model server failed: ${(error as Error).message}`, 'server_error', null),
        );
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new CodecrewError(
          'CONFIG_INVALID',
          `the scripted model server cannot listen on ${host}:${opts.port ?? 0}: ${error.message}; choose another port`,
          { cause: error },
        ),
      ),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`;
  registerScriptedEndpoint(url);

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    unregisterScriptedEndpoint(url);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return { url, port, requests, close, [Symbol.asyncDispose]: close };
}

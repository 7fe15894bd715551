import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestFacts, ScriptMatcher } from './matcher.ts';
import { promptTokens } from './prompt-tokens.ts';
import { errorBody, labelModel, toolCallsOf } from './protocol.ts';
import {
  inputAsMessages,
  lastInputText,
  responseBody,
  responsesInputProblem,
  type ScriptedResponse,
} from './responses-protocol.ts';
import type { ModelScript, ScriptReply } from './script.ts';
import { contextLengthErrorBody } from './server-stats.ts';
import { strictToolsError } from './strict-schema.ts';
import { wireUsage } from './wire-usage.ts';

/** What the endpoint fills in of the server's record of a request. */
export interface ResponsesRecord {
  headers: Record<string, string>;
  model: string | undefined;
  stream: boolean;
  lastMessage: string;
  promptTokens?: number | undefined;
  settings?: Record<string, unknown> | undefined;
  rule: number | undefined;
  reply: number | undefined;
  status: number;
  outcome: string;
}

/** What the endpoint uses of the scripted server it is part of. */
export interface ResponsesEndpointDeps<R extends ResponsesRecord> {
  script: ModelScript;
  matcher: ScriptMatcher;
  delay(ms: number): Promise<void>;
  isClosed(): boolean;
  readBody(req: IncomingMessage): Promise<string>;
  sendJson(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void;
  errorReplyBody(status: number, body: unknown): unknown;
  onRequest?: ((body: Record<string, unknown>, record: R) => void) | undefined;
}

/** The parts of a request body that are not the conversation: model settings and any extra body. */
export function requestSettings(body: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!['messages', 'input', 'tools', 'instructions'].includes(key)) settings[key] = value;
  }
  return settings;
}

function factsOf(record: ResponsesRecord): RequestFacts {
  const facts: RequestFacts = { lastMessage: record.lastMessage };
  const h = record.headers;
  for (const key of ['agent', 'subtask', 'task', 'job', 'attempt', 'delivery', 'purpose'] as const) {
    if (h[key] !== undefined) facts[key] = h[key];
  }
  if (record.model !== undefined) facts.model = record.model;
  return facts;
}

function refuse(
  sendJson: ResponsesEndpointDeps<ResponsesRecord>['sendJson'],
  res: ServerResponse,
  record: ResponsesRecord,
  outcome: string,
  body: unknown,
): void {
  record.status = 400;
  record.outcome = outcome;
  sendJson(res, 400, body);
}

/**
 * The scripted server's `POST /v1/responses`: OpenAI's Responses API,
 * answered from the same script as chat completions (same rules, matching and
 * reply kinds). A reply's `reasoning` becomes a reasoning item, with
 * `encrypted_content` when the request includes `reasoning.encrypted_content`;
 * tool calls become `function_call` items; `finish_reason: length` an
 * incomplete response. Streaming is not offered.
 */
export function responsesEndpoint<R extends ResponsesRecord>(
  deps: ResponsesEndpointDeps<R>,
): (req: IncomingMessage, res: ServerResponse, record: R) => Promise<void> {
  let sequence = 0;
  let callSequence = 0;

  function build(reply: ScriptReply, body: Record<string, unknown>, record: ResponsesRecord): ScriptedResponse {
    sequence += 1;
    const include = Array.isArray(body.include) ? body.include : [];
    const response: ScriptedResponse = {
      id: `resp_scripted_${sequence}`,
      created: Math.floor(Date.now() / 1000),
      model: labelModel(record.model),
      content: reply.content ?? null,
      messageId: `msg_scripted_${sequence}`,
      toolCalls: toolCallsOf(reply, () => {
        callSequence += 1;
        return `call_scripted_resp_${callSequence}`;
      }),
      usage: wireUsage(reply, deps.script.usage, record.promptTokens ?? 0),
      incomplete: reply.finish_reason === 'length',
      request: body,
    };
    if (reply.reasoning !== undefined) {
      response.reasoning = {
        id: `rs_scripted_${sequence}`,
        summary: reply.reasoning.summary,
        encrypted: include.includes('reasoning.encrypted_content'),
      };
    }
    return response;
  }

  return async (req, res, record) => {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await deps.readBody(req));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('the body is not a JSON object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      const message = `request body is not valid JSON: ${(error as Error).message}`;
      refuse(deps.sendJson, res, record, 'bad_request', errorBody(message, 'invalid_request_error', null));
      return;
    }
    record.model = typeof body.model === 'string' ? body.model : undefined;
    record.stream = body.stream === true;
    record.lastMessage = lastInputText(body.input);
    const instructions = typeof body.instructions === 'string' ? [{ role: 'system', content: body.instructions }] : [];
    record.promptTokens = promptTokens({
      model: record.model ?? '',
      messages: [...instructions, ...inputAsMessages(body.input)],
      tools: Array.isArray(body.tools) ? body.tools : undefined,
    });
    record.settings = requestSettings(body);
    deps.onRequest?.(body, record);
    if (record.stream) {
      const message = "the scripted server's /v1/responses does not stream; send stream: false";
      refuse(
        deps.sendJson,
        res,
        record,
        'bad_request',
        errorBody(message, 'invalid_request_error', 'scripted_no_stream'),
      );
      return;
    }
    const toolsError = strictToolsError(body.tools);
    if (toolsError !== null) {
      const error = errorBody(toolsError, 'invalid_request_error', 'invalid_function_parameters');
      refuse(deps.sendJson, res, record, 'bad_request', error);
      return;
    }
    const problem = deps.script.strict ? responsesInputProblem(body.input, body.store !== false) : null;
    if (problem !== null) {
      const error = errorBody(problem, 'invalid_request_error', null);
      (error.error as Record<string, unknown>).param = 'input';
      refuse(deps.sendJson, res, record, 'invalid_conversation', error);
      return;
    }
    const window = deps.script.context_window;
    if (window !== undefined && record.promptTokens > window) {
      refuse(
        deps.sendJson,
        res,
        record,
        'context_length_exceeded',
        contextLengthErrorBody(window, record.promptTokens),
      );
      return;
    }
    const facts = factsOf(record);
    // Choosing the reply happens before any await so that one request takes exactly one reply.
    const answer = deps.matcher.next(facts);
    if (answer === undefined) {
      const error = errorBody(deps.matcher.explainNoMatch(facts), 'invalid_request_error', 'scripted_no_match');
      refuse(deps.sendJson, res, record, 'no_match', error);
      return;
    }
    record.rule = answer.ruleIndex;
    record.reply = answer.replyIndex;
    const reply = answer.reply;
    await deps.delay(reply.latency_ms ?? deps.script.latency_ms);
    if (deps.isClosed() || res.destroyed) return;
    if (reply.error !== undefined) {
      record.status = reply.error.status;
      record.outcome = 'error';
      const extra: Record<string, string> = {};
      if (reply.error.retry_after_s !== undefined) extra['retry-after'] = String(reply.error.retry_after_s);
      deps.sendJson(res, reply.error.status, deps.errorReplyBody(reply.error.status, reply.error.body), extra);
      return;
    }
    if (reply.stream_cut === true) {
      record.status = 200;
      record.outcome = 'stream_cut';
      req.socket.destroy();
      return;
    }
    const response = build(reply, body, record);
    record.status = 200;
    record.outcome = response.toolCalls.length > 0 ? 'tool_calls' : 'content';
    deps.sendJson(res, 200, responseBody(response));
  };
}

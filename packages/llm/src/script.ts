import { z } from 'zod';
import { CodecrewError, Role, isCodecrewError, loadYamlFile } from '@codecrew/core';

const TokenCounts = z
  .object({
    /** `counted`: the prompt's tokens as the server counts them (the tokenizer the agent runtime uses). */
    prompt_tokens: z.union([z.number().int().nonnegative(), z.literal('counted')]),
    completion_tokens: z.number().int().nonnegative(),
    /** Sent as `prompt_tokens_details.cached_tokens`. */
    cached_tokens: z.number().int().nonnegative().optional(),
    /** Sent as `completion_tokens_details.reasoning_tokens`. */
    reasoning_tokens: z.number().int().nonnegative().optional(),
  })
  .strict();

const Regex = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid JavaScript regular expression' },
);

/** When a rule applies; every key given must hold. */
export const ScriptMatch = z
  .object({
    agent: Role.optional(),
    subtask: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    last_message: Regex.optional(),
    attempt: z.number().int().min(1).optional(),
    /** Header `x-codecrew-delivery`: 1 for a job's first delivery, 2 when NATS delivered it again, and so on. */
    delivery: z.number().int().min(1).optional(),
    /** Header `x-codecrew-purpose`: `step` for a tool-loop request, `compact` for a summary of the conversation. */
    purpose: z.enum(['step', 'compact']).optional(),
  })
  .strict();
export type ScriptMatch = z.infer<typeof ScriptMatch>;

/** One tool call of a reply; `raw_arguments` is sent verbatim instead of `args` as JSON. */
export const ScriptToolCall = z
  .object({
    name: z.string().min(1),
    args: z.record(z.string(), z.unknown()).optional(),
    raw_arguments: z.string().optional(),
  })
  .strict()
  .refine((call) => call.args === undefined || call.raw_arguments === undefined, {
    message: 'give either args or raw_arguments, not both',
  });
export type ScriptToolCall = z.infer<typeof ScriptToolCall>;

/** An HTTP error to answer with instead of a completion. */
export const ScriptError = z
  .object({
    status: z.number().int().min(400).max(599),
    body: z.unknown().optional(),
    retry_after_s: z.number().nonnegative().optional(),
  })
  .strict();
export type ScriptError = z.infer<typeof ScriptError>;

/** One answer of a rule. */
export const ScriptReply = z
  .object({
    content: z.string().optional(),
    tool_calls: z.array(ScriptToolCall).min(1).optional(),
    raw_arguments: z.string().optional(),
    latency_ms: z.number().int().nonnegative().optional(),
    usage: TokenCounts.partial().optional(),
    error: ScriptError.optional(),
    stream_cut: z.boolean().optional(),
    /** `length`: the reply stopped at the output token limit; its content or arguments are partial. */
    finish_reason: z.literal('length').optional(),
    /** Responses API: a reasoning item before the output, with this summary; encrypted content when the request asks for it. */
    reasoning: z.object({ summary: z.string().optional() }).strict().optional(),
  })
  .strict()
  .superRefine((reply, ctx) => {
    const answers = reply.content !== undefined || reply.tool_calls !== undefined || reply.finish_reason !== undefined;
    if (!answers && reply.error === undefined && reply.stream_cut !== true) {
      ctx.addIssue({ code: 'custom', message: 'a reply needs content, tool_calls, error or stream_cut: true' });
    }
    if (reply.error !== undefined && (answers || reply.stream_cut === true)) {
      ctx.addIssue({
        code: 'custom',
        path: ['error'],
        message: 'error answers alone: drop content, tool_calls, finish_reason and stream_cut',
      });
    }
    if (reply.raw_arguments !== undefined && reply.tool_calls === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['raw_arguments'],
        message: 'raw_arguments replaces the arguments of tool_calls; add tool_calls',
      });
    }
  });
export type ScriptReply = z.infer<typeof ScriptReply>;

/** A rule: when `match` holds and the job still has replies left, the next reply answers. */
export const ScriptRule = z
  .object({
    match: ScriptMatch.default({}),
    replies: z.array(ScriptReply).min(1),
  })
  .strict();
export type ScriptRule = z.infer<typeof ScriptRule>;

/** The scripted model's script, format v1 (see docs/scripted-model.md). */
export const ModelScript = z
  .object({
    version: z.literal(1, { message: 'only version 1 of the script format exists: write "version: 1"' }),
    latency_ms: z.number().int().nonnegative().default(0),
    usage: TokenCounts.default({ prompt_tokens: 0, completion_tokens: 0 }),
    /** Refuse requests whose messages break the tool-call order, as OpenAI does (see conversation-check.ts). */
    strict: z.boolean().default(true),
    /** A request whose prompt counts more tokens than this is refused with OpenAI's `context_length_exceeded` error. */
    context_window: z.number().int().positive().optional(),
    rules: z.array(ScriptRule).min(1),
  })
  .strict();
export type ModelScript = z.infer<typeof ModelScript>;

/**
 * Reads and validates a script file. Errors carry code `SCRIPT_INVALID` and
 * name the file, line, column and field of every problem.
 */
export function loadModelScript(path: string): ModelScript {
  try {
    return loadYamlFile(path, ModelScript, 'SCRIPT_INVALID');
  } catch (error) {
    if (isCodecrewError(error, 'SCRIPT_INVALID')) {
      // The shared YAML loader words its headline for task specs.
      const message = error.message.replace(
        / is not a valid [a-z ]+:/,
        ' is not a valid model script (format v1, see docs/scripted-model.md):',
      );
      const options: { details?: Record<string, unknown>; cause: unknown } = { cause: error };
      if (error.details !== undefined) options.details = error.details;
      throw new CodecrewError('SCRIPT_INVALID', message, options);
    }
    throw error;
  }
}

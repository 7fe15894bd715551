import { z } from 'zod';
import type { CommandRecord, Role, TraceKind, Usage } from '@codecrew/core';
import type { Sandbox, Workspace } from '@codecrew/sandbox';
import { toStrictSchema, withoutNullOptionals } from './tool-schema.ts';
import type { SteeringInbox } from './steering.ts';

/** Publishes one trace event about the running job. */
export type EmitEvent = (kind: TraceKind, message: string, data?: Record<string, unknown>) => void;

/** What a tool can reach while it runs: the workspace on the host and the sandbox. */
export interface ToolContext {
  role: Role;
  /** Resolves once `workspace` may be used; the agent loop awaits it before it runs a tool. Absent: usable now. */
  ready?: Promise<void>;
  workspace: Workspace;
  /** The job's sandbox; its container may start only at the first command. */
  sandbox: Sandbox;
  emit: EmitEvent;
  /** Every command run in the sandbox is recorded here for the report. */
  commands: CommandRecord[];
  signal: AbortSignal;
  /** Model usage and steps so far, kept current so that a failed job still reports them. */
  meter: { usage: Usage; steps: number };
  /** The user's messages to this job while it runs, read before every model call. Absent: none. */
  steering?: SteeringInbox;
}

/** A tool's answer: text for the model, or the end of the job with a value. */
export type ToolOutcome = { kind: 'text'; text: string } | { kind: 'terminal'; value: unknown };

/** One tool of the agent tool protocol (v1). Names and argument shapes are a public contract. */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  run(args: z.infer<S>, ctx: ToolContext): Promise<ToolOutcome>;
}

/** Builds a tool definition with its argument type inferred from the schema. */
export function defineTool<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/** A text outcome. */
export const text = (value: string): ToolOutcome => ({ kind: 'text', text: value });

/** A tool's argument schema as zod writes it, and its strict-mode form. */
interface ToolJsonSchemas {
  own: Record<string, unknown>;
  strict: Record<string, unknown>;
}

/** JSON schemas of tool arguments, by zod schema: every job of a role binds the same tools. */
const jsonSchemas = new WeakMap<z.ZodType, ToolJsonSchemas>();

function jsonSchemasOf(tool: ToolDefinition): ToolJsonSchemas {
  let schemas = jsonSchemas.get(tool.schema);
  if (schemas === undefined) {
    const own = z.toJSONSchema(tool.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete own.$schema;
    schemas = { own, strict: toStrictSchema(own) };
    jsonSchemas.set(tool.schema, schemas);
  }
  return schemas;
}

/**
 * The OpenAI function-tool form of a tool, for `bindTools`. Its parameters are
 * in the form OpenAI's strict mode takes (optional arguments are required and
 * nullable), whether or not the endpoint is asked for strict mode; read the
 * model's arguments with {@link parseToolArgs}.
 */
export function toOpenAITool(tool: ToolDefinition): {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
} {
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: structuredClone(jsonSchemasOf(tool).strict),
    },
  };
}

/** Validates a model's arguments for a tool; `null` for an optional argument counts as not given. */
export function parseToolArgs(tool: ToolDefinition, args: unknown): z.ZodSafeParseResult<unknown> {
  return tool.schema.safeParse(withoutNullOptionals(args, jsonSchemasOf(tool).own));
}

/** Formats zod issues as one line per problem, for the model to read. */
export function describeArgIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(arguments)'}: ${issue.message}`)
    .join('; ');
}

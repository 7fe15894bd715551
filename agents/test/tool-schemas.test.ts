import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Job, emptyUsage, type Role } from '@codecrew/core';
import { strictSchemaProblems } from '@codecrew/llm';
import type { Sandbox, Workspace } from '@codecrew/sandbox';
import { runAsker } from '../src/asker/run.ts';
import { runCoder } from '../src/coder/run.ts';
import { runPlanner } from '../src/planner/run.ts';
import { runReviewer } from '../src/reviewer/run.ts';
import type { RoleRun } from '../src/runtime/role.ts';
import { defineTool, parseToolArgs, toOpenAITool, type ToolContext } from '../src/runtime/tool.ts';
import { toStrictSchema } from '../src/runtime/tool-schema.ts';

type BoundTool = ReturnType<typeof toOpenAITool>;

/** Stops a role's run at its first model call, after it bound its tools. */
class ToolsBound extends Error {}

function jobFor(role: Role): Job {
  const inputs: Record<string, unknown> = {
    planner: { role: 'planner' },
    coder: {
      role: 'coder',
      kind: 'implement',
      subtask: { id: 's1', title: 'Do it', description: '', files: [], depends_on: [] },
    },
    reviewer: { role: 'reviewer', diff: { name: 'diff', size: 0, inline: '' }, tests: null, subtaskSummaries: [] },
    asker: { role: 'asker' },
  };
  return Job.parse({
    id: `j-${role}`,
    taskId: 't-schemas',
    role,
    attempt: 1,
    createdAt: new Date(0).toISOString(),
    prompt: 'Work on it.',
    agentsMd: '',
    tree: { name: 'tree', size: 0 },
    model: { name: 'scripted' },
    maxSteps: 5,
    timeoutMs: 60_000,
    sandbox: {
      image: 'auto',
      cpus: 1,
      memoryBytes: 1 << 30,
      pids: 64,
      tmpBytes: 1 << 20,
      commandTimeoutMs: 1000,
      maxOutputBytes: 1000,
    },
    input: inputs[role],
  });
}

/** The tools a role binds to its model, in the form they are sent. */
async function toolsOf(role: Role, run: RoleRun): Promise<BoundTool[]> {
  let bound: BoundTool[] = [];
  const model = {
    bindTools(tools: BoundTool[]) {
      bound = tools;
      return {
        invoke: () => {
          throw new ToolsBound();
        },
      };
    },
  } as unknown as BaseChatModel;
  const context: ToolContext = {
    role,
    workspace: {} as Workspace,
    sandbox: {} as Sandbox,
    emit: () => undefined,
    commands: [],
    signal: new AbortController().signal,
    meter: { usage: emptyUsage(), steps: 0 },
  };
  await run({
    job: jobFor(role),
    model,
    tools: context,
    artifacts: { put: () => Promise.reject(new Error('unused')), get: async () => new Uint8Array() },
  }).catch(() => undefined);
  return bound;
}

const RUNNERS: Array<[Role, RoleRun]> = [
  ['planner', runPlanner],
  ['coder', runCoder],
  ['reviewer', runReviewer],
  ['asker', runAsker],
];

describe('tool schemas in OpenAI strict mode', () => {
  it.each(RUNNERS)('every tool the %s binds passes the strict-mode rules', async (role, run) => {
    const tools = await toolsOf(role, run);
    expect(tools.length).toBeGreaterThan(3);
    const problems = Object.fromEntries(
      tools.map((tool) => [tool.function.name, strictSchemaProblems(tool.function.parameters)]),
    );
    expect(problems).toEqual(Object.fromEntries(tools.map((tool) => [tool.function.name, []])));
  });

  it('the check catches what strict mode refuses', () => {
    const own = z.toJSONSchema(
      z.object({
        path: z.string().min(1),
        depth: z.number().int().optional(),
        severity: z.enum(['minor', 'major']).default('minor'),
      }),
      { io: 'input' },
    ) as Record<string, unknown>;
    delete own.$schema;
    expect(strictSchemaProblems(own)).toEqual([
      "In context=(), 'additionalProperties' is required to be supplied and to be false",
      "In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'depth', 'severity'",
      "In context=('properties', 'path'), 'minLength' is not permitted",
      "In context=('properties', 'depth'), 'minimum' -9007199254740991 is at or past the safe-integer limit; leave the bound out",
      "In context=('properties', 'depth'), 'maximum' 9007199254740991 is at or past the safe-integer limit; leave the bound out",
      "In context=('properties', 'severity'), 'default' is not permitted",
    ]);
    expect(
      strictSchemaProblems({ anyOf: [{ type: 'object', properties: {}, required: [], additionalProperties: false }] }),
    ).toContain("In context=(), the root schema must be an object (type 'object'), not anyOf");
  });

  it('makes optional arguments required and nullable, keeping what zod checks out of the schema', () => {
    const own = z.toJSONSchema(
      z.object({
        path: z.string().min(1).describe('A path'),
        depth: z.number().int().min(1).max(20).optional().describe('How deep; default 3'),
        severity: z.enum(['minor', 'major']).default('minor'),
        tags: z.array(z.object({ name: z.string(), note: z.string().optional() })).default([]),
      }),
      { io: 'input' },
    ) as Record<string, unknown>;
    delete own.$schema;
    expect(toStrictSchema(own)).toEqual({
      type: 'object',
      properties: {
        path: { type: 'string', description: 'A path' },
        depth: { type: ['integer', 'null'], minimum: 1, maximum: 20, description: 'How deep; default 3' },
        severity: {
          anyOf: [{ type: 'string', enum: ['minor', 'major'] }, { type: 'null' }],
          description: 'Default: "minor"',
        },
        tags: {
          type: ['array', 'null'],
          description: 'Default: []',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, note: { type: ['string', 'null'] } },
            required: ['name', 'note'],
            additionalProperties: false,
          },
        },
      },
      required: ['path', 'depth', 'severity', 'tags'],
      additionalProperties: false,
    });
  });

  it('reads null for an optional argument as not given, and keeps a null the tool takes', () => {
    const tool = defineTool({
      name: 'review',
      description: 'Review',
      schema: z.object({
        verdict: z.string(),
        line: z.number().int().positive().optional(),
        comments: z.array(z.object({ body: z.string(), severity: z.string().default('minor') })).default([]),
        exitCode: z.number().int().nullable(),
      }),
      async run() {
        return { kind: 'text', text: '' };
      },
    });
    const parsed = parseToolArgs(tool, {
      verdict: 'ok',
      line: null,
      comments: [{ body: 'x', severity: null }],
      exitCode: null,
    });
    expect(parsed.data).toEqual({ verdict: 'ok', comments: [{ body: 'x', severity: 'minor' }], exitCode: null });
    expect(parseToolArgs(tool, { verdict: 'ok', comments: null, exitCode: 1 }).data).toEqual({
      verdict: 'ok',
      comments: [],
      exitCode: 1,
    });
    expect(parseToolArgs(tool, { verdict: null, exitCode: 1 }).success).toBe(false);
  });
});

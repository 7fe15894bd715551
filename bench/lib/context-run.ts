import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { emptyUsage, type TraceKind } from '@codecrew/core';
import {
  ModelScript,
  createChatModel,
  startScriptedModelServer,
  type RecordedRequest,
  type ScriptedServerStats,
  type WireMessage,
} from '@codecrew/llm';
import { Workspace, type Sandbox } from '@codecrew/sandbox';
import { defineTool, runAgentLoop, type ToolContext } from '@codecrew/agents';
import { prefixFigures, type PrefixFigures, type SentRequest } from './context-measure.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** The model name the runs use: unknown to codecrew, so its tokens are counted with cl100k_base, as for a local model. */
export const BENCH_MODEL = 'bench-local-model';

/** Files of the made-up repository, by kind: how many, and lines each. */
const FILES = { small: { count: 30, lines: 40 }, medium: { count: 15, lines: 300 }, large: { count: 5, lines: 3000 } };

/** A tar of a repository of small, medium and large TypeScript-like files, as `git archive` would name them. */
export function contextRepoTar(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'codecrew-bench-context-'));
  try {
    for (const [kind, { count, lines }] of Object.entries(FILES)) {
      mkdirSync(join(dir, 'src', kind), { recursive: true });
      for (let i = 0; i < count; i += 1) {
        const body = Array.from({ length: lines }, (_, n) => `  const v${n} = compute(${n}, ${i}); // ${kind}`);
        writeFileSync(join(dir, 'src', kind, `f${i}.ts`), `export function f${i}() {\n${body.join('\n')}\n}\n`);
      }
    }
    return execFileSync('tar', ['-cf', '-', '-C', dir, '--', ...readdirSync(dir).sort()], {
      maxBuffer: 256 * 1024 * 1024,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The coder's real system prompt files, for a system prompt of realistic size. */
function systemPrompt(): string {
  const prompts = join(ROOT, 'agents/src/prompts');
  return ['coder.md', 'environment.md'].map((name) => readFileSync(join(prompts, name), 'utf8')).join('\n\n');
}

/**
 * The script's step replies: mostly small reads and slices of medium files,
 * a new small file every sixth step, a large file read whole every twelfth
 * (cut to the tool-result cap), then `finish`.
 */
function stepReplies(steps: number): unknown[] {
  const call = (name: string, args: Record<string, unknown>) => ({ tool_calls: [{ name, args }] });
  const replies: unknown[] = [call('list_files', { path: 'src' })];
  for (let k = 2; k < steps; k += 1) {
    if (k % 12 === 0) replies.push(call('read_file', { path: `src/large/f${k % FILES.large.count}.ts` }));
    else if (k % 6 === 0) {
      const content = Array.from({ length: 15 }, (_, n) => `export const c${n} = ${k * n};`).join('\n');
      replies.push(call('write_file', { path: `src/new/n${k}.ts`, content }));
    } else if (k % 3 === 0) {
      const offset = ((k * 37) % (FILES.medium.lines - 40)) + 1;
      replies.push(call('read_file', { path: `src/medium/f${k % FILES.medium.count}.ts`, offset, limit: 40 }));
    } else replies.push(call('read_file', { path: `src/small/f${k % FILES.small.count}.ts` }));
  }
  replies.push(call('finish', { summary: 'read what was needed and wrote the new files' }));
  return replies;
}

const SUMMARY = [
  'Done: listed src; read the small modules f0-f29 and slices of the medium ones; read the large files, which are long',
  'lists of compute() calls; wrote new files under src/new with exported constants. Nothing failed.',
  'Left: read the remaining modules, write the rest of src/new, then finish with a summary.',
  'Files: src/new/*.ts written; src/small, src/medium and src/large read.',
].join('\n');

function tools() {
  const readFile = defineTool({
    name: 'read_file',
    description: 'Read a text file; lines come numbered. Use offset and limit to read long files in pieces.',
    schema: z.object({
      path: z.string(),
      offset: z.number().int().min(1).optional(),
      limit: z.number().int().optional(),
    }),
    async run(args, ctx) {
      const opts: { offset?: number; limit?: number } = {};
      if (args.offset !== undefined) opts.offset = args.offset;
      if (args.limit !== undefined) opts.limit = args.limit;
      return { kind: 'text', text: await ctx.workspace.readFile(args.path, opts) };
    },
  });
  const listFiles = defineTool({
    name: 'list_files',
    description: 'List files under a directory.',
    schema: z.object({ path: z.string().optional() }),
    async run(args, ctx) {
      return { kind: 'text', text: await ctx.workspace.listFiles(args.path ?? '.') };
    },
  });
  const writeFile = defineTool({
    name: 'write_file',
    description: 'Write a file.',
    schema: z.object({ path: z.string(), content: z.string() }),
    async run(args, ctx) {
      const change = await ctx.workspace.writeFile(args.path, args.content);
      return { kind: 'text', text: `wrote ${change.path}: ${change.summary}` };
    },
  });
  const finish = defineTool({
    name: 'finish',
    description: 'Finish the job.',
    schema: z.object({ summary: z.string() }),
    async run(args) {
      return { kind: 'terminal', value: args };
    },
  });
  return [readFile, listFiles, writeFile, finish];
}

/** What one run measured. */
export interface ContextRun {
  /** The window the model had; null for the run without one (nothing reduced). */
  contextWindow: number | null;
  steps: number;
  stepRequests: number;
  compactRequests: number;
  /** Prompt tokens of every request, step and compaction, as the server counted them. */
  promptTokens: number;
  compactPromptTokens: number;
  peakPromptTokens: number;
  /** Requests the server refused as longer than the window. */
  overWindow: number;
  elisions: number;
  compactions: number;
  prefix: PrefixFigures;
}

/**
 * Runs the agent loop for `steps` scripted steps against a model of
 * `contextWindow` tokens (or, with null, one so large nothing is reduced)
 * and measures what it sent.
 */
export async function runContextScenario(opts: {
  steps: number;
  contextWindow: number | null;
  tar: Buffer;
}): Promise<ContextRun> {
  const sent: Array<{ body: Record<string, unknown>; record: RecordedRequest }> = [];
  const server = await startScriptedModelServer({
    script: ModelScript.parse({
      version: 1,
      usage: { prompt_tokens: 'counted', completion_tokens: 60 },
      ...(opts.contextWindow === null ? {} : { context_window: opts.contextWindow }),
      rules: [
        { match: { purpose: 'compact' }, replies: Array.from({ length: opts.steps }, () => ({ content: SUMMARY })) },
        { match: { purpose: 'step' }, replies: stepReplies(opts.steps) },
      ],
    }),
    latencyScale: 0,
    onRequest: (body, record) => sent.push({ body, record }),
  });
  const parent = mkdtempSync(join(tmpdir(), 'codecrew-bench-context-ws-'));
  try {
    const workspace = await Workspace.create({ parentDir: parent, tar: opts.tar, baseline: false });
    const events: Array<{ kind: TraceKind; data: Record<string, unknown> }> = [];
    const context: ToolContext = {
      role: 'coder',
      workspace,
      // The tools above work on the workspace alone.
      sandbox: {} as Sandbox,
      emit: (kind, _message, data = {}) => events.push({ kind, data }),
      commands: [],
      signal: new AbortController().signal,
      meter: { usage: emptyUsage(), steps: 0 },
    };
    const result = await runAgentLoop({
      model: createChatModel({
        model: { name: BENCH_MODEL, baseURL: server.url },
        context: { taskId: 'bench-context', jobId: `window-${opts.contextWindow ?? 'none'}`, role: 'coder' },
        env: {},
      }),
      tools: tools(),
      terminalTools: ['finish'],
      system: systemPrompt(),
      user: 'Read through the modules under src and write the new ones under src/new, then finish.',
      maxSteps: opts.steps + 5,
      context,
      modelRef: { name: BENCH_MODEL, contextWindow: opts.contextWindow ?? 100_000_000 },
    });
    const stats = (await (await fetch(`${server.url}/_stats`)).json()) as ScriptedServerStats;
    const answered = sent.filter(({ record }) => record.status === 200);
    const steps: SentRequest[] = answered
      .filter(({ record }) => record.headers.purpose === 'step')
      .map(({ body }) => ({
        model: String(body.model),
        messages: body.messages as WireMessage[],
        tools: body.tools as unknown[] | undefined,
      }));
    const compacts = stats.requests.filter((request) => request.headers.purpose === 'compact');
    return {
      contextWindow: opts.contextWindow,
      steps: result.steps,
      stepRequests: steps.length,
      compactRequests: compacts.length,
      promptTokens: stats.totals.promptTokens,
      compactPromptTokens: compacts.reduce((sum, request) => sum + (request.promptTokens ?? 0), 0),
      peakPromptTokens: stats.totals.maxPromptTokens,
      overWindow: stats.totals.overContextWindow,
      elisions: events.filter((event) => event.kind === 'context.elided').length,
      compactions: events.filter((event) => event.kind === 'context.compacted').length,
      prefix: prefixFigures(steps),
    };
  } finally {
    await server.close();
    rmSync(parent, { recursive: true, force: true });
  }
}

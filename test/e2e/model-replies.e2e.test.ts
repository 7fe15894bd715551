import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { git } from '../support/cli.ts';
import { SLUGIFY, approve, call, jobsOf, plan, runScripted } from '../support/scripted-run.ts';

/**
 * Whole tasks through the strict scripted server (it refuses broken
 * conversations, as OpenAI does) with the replies real models and local
 * servers send: mixed valid and malformed calls, replies cut off at the
 * output limit, tool calls written as text, <think> reasoning, a coder
 * running out of steps, and a model repeating an invalid call.
 */

const EXPORT_SLUG = {
  path: 'src/index.js',
  old: "export { wordCount } from './words.js';\n",
  new: "export { wordCount } from './words.js';\nexport { slugify } from './slug.js';\n",
};
const planner = { match: { agent: 'planner' }, replies: [plan([{ id: 'slug', files: ['src/**'] }])] };
const reviewer = { match: { agent: 'reviewer' }, replies: [approve] };
const spec = { test: { command: 'node --test test/slug.test.js test/words.test.js' }, review: { maxRounds: 0 } };
const coder = (replies: unknown[]) => ({ match: { agent: 'coder' }, replies });
const coderMessages = (server: { requests: Array<{ headers: Record<string, string>; lastMessage: string }> }) =>
  server.requests.filter((r) => r.headers.agent === 'coder').map((r) => r.lastMessage);

interface WireMessage {
  role: string;
  content: unknown;
  tool_calls?: Array<{ function: { name: string; arguments: string } }>;
}

describe('what real models send, through a strict endpoint', () => {
  it('answers every call of a reply that holds a valid and a malformed call, and the task is approved', async () => {
    const { run, server, report, trace } = await runScripted(
      'replies mixed calls',
      {
        rules: [
          planner,
          coder([
            {
              tool_calls: [
                { name: 'write_file', args: { path: 'src/slug.js', content: SLUGIFY } },
                { name: 'edit_file', raw_arguments: '{"path": "src/index.js", "old": ' },
              ],
            },
            call('edit_file', EXPORT_SLUG),
            call('finish', { summary: 'Added slugify' }),
          ]),
          reviewer,
        ],
      },
      spec,
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    expect(server.requests.filter((r) => r.outcome === 'invalid_conversation')).toEqual([]);
    expect(coderMessages(server)[1]).toBe(
      'Error: the arguments of edit_file are not valid JSON (Unexpected end of JSON input). Send the call again with a JSON object as arguments.',
    );
    expect(trace.filter((e) => e.kind === 'tool.result' && e.data.code === 'TOOL_INVALID_ARGS')).toHaveLength(1);
  });

  it('tells a coder whose reply was cut off at the output limit to write smaller pieces, and it recovers', async () => {
    const { run, server, report, trace } = await runScripted(
      'replies cut off',
      {
        rules: [
          planner,
          coder([
            {
              tool_calls: [
                { name: 'write_file', raw_arguments: '{"path": "src/slug.js", "content": "export function slugify(te' },
              ],
              finish_reason: 'length',
              usage: { completion_tokens: 8192 },
            },
            call('write_file', { path: 'src/slug.js', content: SLUGIFY }),
            call('edit_file', EXPORT_SLUG),
            call('finish', { summary: 'Added slugify' }),
          ]),
          reviewer,
        ],
      },
      spec,
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const told = coderMessages(server)[1] ?? '';
    expect(told).toMatch(
      /^Error: your reply stopped at 8192 tokens, the output limit, in the middle of this write_file call, so the call is incomplete and was not run\. Send less in one reply: write a large file in pieces/,
    );
    expect(told).not.toContain('not valid JSON');
    const cut = trace.filter((e) => e.kind === 'model.call' && e.data.finishReason === 'length');
    expect(cut.map((e) => e.role)).toEqual(['coder']);
  });

  it('runs tool calls written as text, keeps <think> out of the history, and counts only text replies in a row', async () => {
    const bodies: WireMessage[][] = [];
    const tagged = (name: string, args: unknown) =>
      `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
    const { run, server, report, repo } = await runScripted(
      'replies as text',
      {
        rules: [
          planner,
          coder([
            { content: '<think>The task wants slugify. I should write it.</think>Let me write the file.' },
            {
              content: `<think>Writing src/slug.js now.</think>\n${tagged('write_file', { path: 'src/slug.js', content: SLUGIFY })}`,
            },
            { content: '<think>Now I need to export it from src/index.js, which', finish_reason: 'length' },
            {
              content: `Exporting it:\n\`\`\`json\n${JSON.stringify({ name: 'edit_file', arguments: EXPORT_SLUG })}\n\`\`\``,
            },
            { content: 'Both changes are made.' },
            { content: 'I believe the work is complete.' },
            { content: tagged('finish', { summary: 'Added slugify' }) },
          ]),
          reviewer,
        ],
      },
      spec,
      {
        onRequest: (body, record) => {
          if (record.headers.agent === 'coder') bodies.push(body.messages as WireMessage[]);
        },
      },
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    expect(git(repo, 'show', '--name-only', '--format=', (report.result as { branch: string }).branch)).toBe(
      'src/index.js\nsrc/slug.js',
    );
    expect(server.requests.filter((r) => r.outcome === 'invalid_conversation')).toEqual([]);
    const last = bodies.at(-1) ?? [];
    expect(JSON.stringify(last)).not.toMatch(/<think>|<\/think>|I should write it|Writing src\/slug\.js now/);
    const assistants = last.filter((m) => m.role === 'assistant');
    expect(assistants.map((m) => [m.content, m.tool_calls?.map((c) => c.function.name) ?? []])).toEqual([
      ['Let me write the file.', []],
      ['', ['write_file']],
      ['Exporting it:', ['edit_file']],
      ['Both changes are made.', []],
      ['I believe the work is complete.', []],
    ]);
    expect(coderMessages(server)[3]).toMatch(
      /^Your reply stopped at the output token limit, before it called a tool\./,
    );
  });

  it('hands over the diff of a coder that ran out of steps, warned before; the tests decide and the report shows it', async () => {
    const { run, server, report } = await runScripted(
      'replies steps exhausted',
      {
        rules: [
          planner,
          coder([
            call('write_file', { path: 'src/slug.js', content: SLUGIFY }),
            call('edit_file', EXPORT_SLUG),
            call('shell', { command: 'node --test test/slug.test.js' }),
            call('read_file', { path: 'src/slug.js' }),
          ]),
          reviewer,
        ],
      },
      { ...spec, budget: { maxSteps: 4 } },
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const coderJob = jobsOf(report).find((j) => j.role === 'coder');
    expect([coderJob?.status, coderJob?.incomplete]).toEqual(['succeeded', 'steps_exhausted']);
    expect(coderMessages(server)[3]).toMatch(
      /\n\nNote: you have used 3 of your 4 steps; 1 remains\. Finish what you are doing and call finish before they run out\.$/,
    );
    const subtasks = report.subtasks as Array<{ status: string; summary: string }>;
    expect(subtasks.map((s) => [s.status, s.summary])).toEqual([
      ['merged', 'Ran out of steps (4) before calling finish; the changes so far are handed over unfinished.'],
    ]);
    const markdown = await readFile((report.files as { report: string }).report, 'utf8');
    expect(markdown).toMatch(/### coder slug — succeeded, steps exhausted \(/);
    expect(markdown).toContain(
      'It used all its steps without calling finish; its changes were handed over unfinished, for the tests to judge.',
    );
  });

  it('stops as stuck a coder that sends the same invalid arguments three times', async () => {
    const invalid = call('edit_file', { path: 'src/index.js' });
    const { run, report } = await runScripted(
      'replies stuck invalid',
      {
        rules: [
          planner,
          coder([
            invalid,
            invalid,
            invalid,
            call('write_file', { path: 'src/slug.js', content: SLUGIFY }),
            call('edit_file', EXPORT_SLUG),
            call('finish', { summary: 'Added slugify' }),
          ]),
          reviewer,
        ],
      },
      spec,
    );
    expect(run.code).toBe(1);
    const coderJob = jobsOf(report).find((j) => j.role === 'coder');
    expect([coderJob?.error?.code, coderJob?.error?.message]).toEqual([
      'AGENT_STUCK',
      'the agent is stuck: edit_file failed with the same error 3 times in a row; stopped',
    ]);
  });
});

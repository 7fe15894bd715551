import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelScript, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import { TEXTKIT, containersOfTask, makeGitRepo, readReport, runCli, tempDirFor } from '../support/cli.ts';
import { writeTaskFile } from '../support/task-file.ts';

const SLUG = `export function slugify(text) {
  return text.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}
`;

const plannerReplies = [
  {
    tool_calls: [
      {
        name: 'submit_plan',
        args: {
          summary: 'One subtask',
          subtasks: [{ id: 'slug', title: 'Add slugify', description: 'src/slug.js, exported from src/index.js', files: ['src/**'], depends_on: [] }],
        },
      },
    ],
  },
];

const coderReplies = [
  { tool_calls: [{ name: 'write_file', args: { path: 'src/slug.js', content: SLUG } }] },
  {
    tool_calls: [
      {
        name: 'edit_file',
        args: { path: 'src/index.js', old: "export { wordCount } from './words.js';\n", new: "export { wordCount } from './words.js';\nexport { slugify } from './slug.js';\n" },
      },
    ],
  },
  { tool_calls: [{ name: 'finish', args: { summary: 'Added slugify' } }] },
];

const approve = [{ tool_calls: [{ name: 'submit_review', args: { verdict: 'approve', summary: 'Fine', comments: [] } }] }];

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function runWithScript(testName: string, rules: unknown[]) {
  const dir = await tempDirFor(testName);
  const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
  server = await startScriptedModelServer({ script: ModelScript.parse({ version: 1, rules }) });
  const spec = await writeTaskFile(dir, {
    name: 'fault',
    repo,
    prompt: 'Add slugify.',
    extra: { test: { command: 'node --test test/slug.test.js test/words.test.js' }, review: { maxRounds: 0 } },
  });
  const run = await runCli(['run', spec, '--model', 'scripted-test'], {
    env: { CODECREW_DATA_DIR: join(dir, 'data'), OPENAI_BASE_URL: server.url, OPENAI_API_KEY: '' },
  });
  return { run, server };
}

describe('faults from the model server', () => {
  it('retries a 429 and goes on', async () => {
    const { run, server } = await runWithScript('fault 429', [
      { match: { agent: 'planner' }, replies: [{ error: { status: 429, retry_after_s: 0 } }, ...plannerReplies] },
      { match: { agent: 'coder' }, replies: coderReplies },
      { match: { agent: 'reviewer' }, replies: approve },
    ]);
    expect(run.code).toBe(0);
    const planner = server.requests.filter((r) => r.headers.agent === 'planner');
    expect(planner.map((r) => r.status)).toEqual([429, 200]);
    expect((await readReport(run)).status).toBe('approved');
  });

  it('hands malformed tool-call arguments back to the agent, which recovers', async () => {
    const { run } = await runWithScript('fault malformed', [
      { match: { agent: 'planner' }, replies: plannerReplies },
      {
        match: { agent: 'coder' },
        replies: [{ tool_calls: [{ name: 'write_file', raw_arguments: '{"path": "src/slug.js", "content": ' }] }, ...coderReplies],
      },
      { match: { agent: 'reviewer' }, replies: approve },
    ]);
    expect(run.code).toBe(0);
    const report = await readReport(run);
    expect(report.status).toBe('approved');
    const trace = (await readFile(String((report.files as { trace: string }).trace), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; role?: string; message: string; data: { code?: string } });
    const rejected = trace.filter((e) => e.kind === 'tool.result' && e.data.code === 'TOOL_INVALID_ARGS');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.role).toBe('coder');
    expect(rejected[0]?.message).toMatch(/^Error: the arguments of write_file are not valid JSON/);
    expect(containersOfTask(String(report.taskId))).toEqual([]);
  });

  it('fails the task with a clear message when no rule matches', async () => {
    const { run } = await runWithScript('fault no match', [
      { match: { agent: 'planner' }, replies: plannerReplies },
      { match: { agent: 'coder' }, replies: coderReplies },
    ]);
    expect(run.code).toBe(1);
    const report = (await readReport(run)) as unknown as { status: string; error: { code: string; message: string }; taskId: string };
    expect(report.status).toBe('failed');
    expect(report.error.code).toBe('JOB_FAILED');
    expect(report.error.message).toContain('SCRIPT_NO_MATCH');
    expect(report.error.message).toContain('x-codecrew-agent="reviewer"');
    expect(run.stdout).toContain('Result: failed');
    expect(containersOfTask(report.taskId)).toEqual([]);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { containersOfTask } from '../support/cli.ts';
import { runScripted } from '../support/scripted-run.ts';

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
          subtasks: [
            {
              id: 'slug',
              title: 'Add slugify',
              description: 'src/slug.js, exported from src/index.js',
              files: ['src/**'],
              depends_on: [],
            },
          ],
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
        args: {
          path: 'src/index.js',
          old: "export { wordCount } from './words.js';\n",
          new: "export { wordCount } from './words.js';\nexport { slugify } from './slug.js';\n",
        },
      },
    ],
  },
  { tool_calls: [{ name: 'finish', args: { summary: 'Added slugify' } }] },
];

const approve = [
  { tool_calls: [{ name: 'submit_review', args: { verdict: 'approve', summary: 'Fine', comments: [] } }] },
];

const spec = { test: { command: 'node --test test/slug.test.js test/words.test.js' }, review: { maxRounds: 0 } };

describe('faults from the model server', () => {
  it('retries a 429 and a 500 and goes on; the trace and the report show both retries', async () => {
    const { run, server, report, trace } = await runScripted(
      'fault 429',
      {
        rules: [
          {
            match: { agent: 'planner' },
            replies: [
              { error: { status: 429, retry_after_s: 0 } },
              { error: { status: 500, retry_after_s: 0 } },
              ...plannerReplies,
            ],
          },
          { match: { agent: 'coder' }, replies: coderReplies },
          { match: { agent: 'reviewer' }, replies: approve },
        ],
      },
      spec,
    );
    expect(run.code).toBe(0);
    const planner = server.requests.filter((r) => r.headers.agent === 'planner');
    expect(planner.map((r) => r.status)).toEqual([429, 500, 200]);
    expect(report.status).toBe('approved');

    const retries = trace.filter((e) => e.kind === 'model.retry');
    expect(retries.map((e) => [e.role, e.data.attempt, e.data.status, e.data.reason, e.data.waitMs])).toEqual([
      ['planner', 1, 429, 'rate_limited', 0],
      ['planner', 2, 500, 'server_error', 0],
    ]);
    expect(report.modelRetries).toEqual({ total: 2, byRole: { planner: 2 } });
    const jobs = report.jobs as Array<{ role: string; modelRetries: Array<{ status: number | null }> }>;
    expect(jobs.map((job) => [job.role, job.modelRetries.map((r) => r.status)])).toEqual([
      ['planner', [429, 500]],
      ['coder', []],
      ['tester', []],
      ['reviewer', []],
    ]);
    const markdown = await readFile((report.files as { report: string }).report, 'utf8');
    expect(markdown).toContain('- Model retries: 2 (planner 2)');
    expect(markdown).toMatch(/### planner — succeeded \(.*, 2 model retries\)/);
  });

  it('hands malformed tool-call arguments back to the agent, which recovers', async () => {
    const { run, report, trace } = await runScripted(
      'fault malformed',
      {
        rules: [
          { match: { agent: 'planner' }, replies: plannerReplies },
          {
            match: { agent: 'coder' },
            replies: [
              { tool_calls: [{ name: 'write_file', raw_arguments: '{"path": "src/slug.js", "content": ' }] },
              ...coderReplies,
            ],
          },
          { match: { agent: 'reviewer' }, replies: approve },
        ],
      },
      spec,
    );
    expect(run.code).toBe(0);
    expect(report.status).toBe('approved');
    const rejected = trace.filter((e) => e.kind === 'tool.result' && e.data.code === 'TOOL_INVALID_ARGS');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.role).toBe('coder');
    expect(rejected[0]?.message).toMatch(/^Error: the arguments of write_file are not valid JSON/);
    expect(containersOfTask(report.taskId)).toEqual([]);
  });

  it('fails the task with a clear message when no rule matches', async () => {
    const { run, report } = await runScripted(
      'fault no match',
      {
        rules: [
          { match: { agent: 'planner' }, replies: plannerReplies },
          { match: { agent: 'coder' }, replies: coderReplies },
        ],
      },
      spec,
    );
    expect(run.code).toBe(1);
    expect(report.status).toBe('failed');
    const error = report.error as { code: string; message: string };
    expect(error.code).toBe('JOB_FAILED');
    expect(error.message).toContain('SCRIPT_NO_MATCH');
    expect(error.message).toContain('x-codecrew-agent="reviewer"');
    expect(run.stdout).toContain('Result: failed');
    expect(containersOfTask(report.taskId)).toEqual([]);
  });
});

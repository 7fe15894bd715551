import { describe, expect, it } from 'vitest';
import { git } from '../support/cli.ts';
import { SLUGIFY, approve, call, calls, jobsOf, plan, runScripted } from '../support/scripted-run.ts';

const onePlan = {
  match: { agent: 'planner' },
  replies: [call('list_files', { path: '.' }), plan([{ id: 'slug', files: ['src/slug.js'] }])],
};
const slugCoder = {
  match: { agent: 'coder' },
  replies: [
    call('read_file', { path: 'src/words.js' }),
    calls(['write_file', { path: 'src/slug.js', content: SLUGIFY }], ['finish', { summary: 'slugify' }]),
  ],
};

describe('budgets stop a task', () => {
  it('budget.maxTokens: no model call starts past it', async () => {
    const { run, report } = await runScripted(
      'budget tokens',
      { usage: { prompt_tokens: 4000, completion_tokens: 100 }, rules: [onePlan, slugCoder] },
      { budget: { maxTokens: 3000 } },
    );
    expect(run.code).toBe(1);
    expect(report.status).toBe('budget_exhausted');
    expect((report.error as { code: string }).code).toBe('BUDGET_EXHAUSTED');
    expect(jobsOf(report).map((j) => [j.role, j.error?.code])).toEqual([['planner', 'BUDGET_EXHAUSTED']]);
    expect((report.usage as { promptTokens: number }).promptTokens).toBe(4000);
  });

  it('budget.maxCostUsd: priced by the configuration', async () => {
    const { run, report } = await runScripted(
      'budget cost',
      { usage: { prompt_tokens: 1000, completion_tokens: 0 }, rules: [onePlan, slugCoder] },
      { budget: { maxCostUsd: 1.5 } },
      {
        config: {
          models: { catalog: { 'scripted-test': { price: { inputPerMillion: 1000, outputPerMillion: 1000 } } } },
        },
      },
    );
    expect(run.code).toBe(1);
    expect(report.status).toBe('budget_exhausted');
    expect((report.usage as { costUsd: number }).costUsd).toBe(2);
    expect(jobsOf(report).map((j) => j.role)).toEqual(['planner']);
  });

  it('budget.maxDuration: running jobs are cancelled and the work merged so far is kept', async () => {
    const { run, report, repo } = await runScripted(
      'budget duration',
      {
        rules: [
          {
            match: { agent: 'planner' },
            replies: [
              plan([
                { id: 'slug', files: ['src/slug.js'] },
                { id: 'slow', files: ['src/slow.js'] },
              ]),
            ],
          },
          {
            match: { agent: 'coder', subtask: 'slug' },
            replies: [
              calls(['write_file', { path: 'src/slug.js', content: SLUGIFY }], ['finish', { summary: 'slugify' }]),
            ],
          },
          {
            match: { agent: 'coder', subtask: 'slow' },
            replies: [call('shell', { command: 'sleep 120' }), call('finish', { summary: 'never' })],
          },
          { match: { agent: 'reviewer' }, replies: [approve] },
        ],
      },
      { budget: { maxDuration: '15s' } },
    );
    expect(run.code).toBe(1);
    expect(report.status).toBe('budget_exhausted');
    expect((report.subtasks as Array<{ id: string; status: string }>).map((s) => [s.id, s.status])).toEqual([
      ['slug', 'merged'],
      ['slow', 'failed'],
    ]);
    const result = report.result as { branch: string; filesChanged: number };
    expect(result.filesChanged).toBe(1);
    expect(git(repo, 'show', '--name-only', '--format=', result.branch)).toBe('src/slug.js');
  });

  it('budget.maxSteps: an agent gets that many model calls', async () => {
    const { run, report } = await runScripted(
      'budget steps',
      { rules: [onePlan, slugCoder] },
      { budget: { maxSteps: 1 } },
    );
    expect(run.code).toBe(1);
    expect(jobsOf(report).map((j) => [j.role, j.error?.code])).toEqual([['planner', 'AGENT_MAX_STEPS']]);
  });
});

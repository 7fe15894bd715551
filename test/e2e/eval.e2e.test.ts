import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalReport, InstanceResult } from '@codecrew/eval';
import { ModelScript, startScriptedModelServer } from '@codecrew/llm';
import { ROOT, runCli, tempDirFor } from '../support/cli.ts';
import { fixScript, writeEvalFixture } from '../support/eval-fixture.ts';

const MISSING_IMAGE = 'codecrew-eval-no-such-image:0';

async function readEvalReport(dir: string): Promise<EvalReport> {
  return JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as EvalReport;
}

/** What a result says about the instance, without its timings and the task ids in its paths. */
function verdictOf(result: InstanceResult) {
  return {
    instance: result.instance_id,
    set: result.set,
    outcome: result.outcome,
    error: result.error?.code ?? null,
    before: result.tests.before.map((test) => `${test.name}:${test.passed ? 'pass' : 'fail'}`),
    after: result.tests.after?.map((test) => `${test.name}:${test.passed ? 'pass' : 'fail'}`) ?? null,
    taskStatus: result.taskStatus,
    review: result.reviewVerdict,
    subtasks: result.subtasks,
    modelCalls: result.modelCalls,
    tokens: result.tokens,
  };
}

/** Scripts for the fixture: calc-add gets the right fix, calc-neg a wrong one. */
async function writeScripts(dir: string): Promise<string> {
  const scripts = join(dir, 'scripts');
  await mkdir(scripts, { recursive: true });
  await writeFile(
    join(scripts, 'calc-add.yaml'),
    JSON.stringify(fixScript('src/add.mjs', 'export const add = (a, b) => a + b;\n')),
  );
  await writeFile(
    join(scripts, 'calc-neg.yaml'),
    JSON.stringify(fixScript('src/neg.mjs', 'export const neg = (x) => 1 - x;\n')),
  );
  return scripts;
}

describe('codecrew eval', () => {
  it('--gold judges each gold patch; a missing image is an infrastructure error; bad lines are skipped; --retry-errors runs the errors again', async () => {
    const dir = await tempDirFor('eval gold');
    const { file } = await writeEvalFixture(dir, {
      extra: { 'calc-neg': { image: MISSING_IMAGE } },
      lines: ['{"instance_id": "calc-bad", "repo": "repo", "FAIL_TO_PASS": []}', 'not json'],
    });
    const out = join(dir, 'out');
    const first = await runCli(['eval', file, '--gold', '--out', out]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain(
      'instances.jsonl:3: FAIL_TO_PASS: at least one test that the fix makes pass (line skipped)',
    );
    expect(first.stderr).toContain('instances.jsonl:4: not JSON');
    const report = await readEvalReport(out);
    expect(report.results.map(verdictOf)).toEqual([
      {
        instance: 'calc-add',
        set: 'gold',
        outcome: 'resolved',
        error: null,
        before: ['add:fail', 'mul:pass'],
        after: ['add:pass', 'mul:pass'],
        taskStatus: 'gold',
        review: null,
        subtasks: 0,
        modelCalls: 0,
        tokens: 0,
      },
      {
        instance: 'calc-neg',
        set: 'gold',
        outcome: 'error',
        error: 'SANDBOX_IMAGE_MISSING',
        before: [],
        after: null,
        taskStatus: 'gold',
        review: null,
        subtasks: 0,
        modelCalls: 0,
        tokens: 0,
      },
    ]);
    expect(report.summaries).toMatchObject([{ set: 'gold', instances: 2, resolved: 1, unresolved: 0, errors: 1 }]);
    expect(report.skipped.map((problem) => [problem.line, problem.field])).toEqual(
      expect.arrayContaining([
        [3, 'FAIL_TO_PASS'],
        [3, 'base_commit'],
        [4, ''],
      ]),
    );
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('## Infrastructure errors');
    expect(markdown).toContain(`- calc-neg (gold): SANDBOX_IMAGE_MISSING`);

    // The image is fixed; only the instance that erred runs again, the judged one is kept as it was.
    await writeEvalFixture(join(dir, 'fixed'));
    const fixedFile = join(dir, 'fixed', 'instances.jsonl');
    const retry = await runCli(['eval', fixedFile, '--gold', '--retry-errors', '--out', out]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).toContain('eval: 1 run(s) of 2 instance(s)');
    const retried = await readEvalReport(out);
    expect(retried.results.map((result) => [result.instance_id, result.outcome])).toEqual([
      ['calc-add', 'resolved'],
      ['calc-neg', 'resolved'],
    ]);
    expect(retried.results[0]).toEqual(report.results[0]);
  });

  it('a scripted crew run in which one instance is solved and one is not gives the expected report', async () => {
    const dir = await tempDirFor('eval scripted');
    const { file } = await writeEvalFixture(dir);
    const scripts = await writeScripts(dir);
    const out = join(dir, 'out');
    const run = await runCli(['eval', file, '--model', `scripted:${scripts}`, '--parallel', '2', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /eval: \[2\/2\] crew calc-(add|neg): \w+ — 1 resolved, 0 error\(s\) so far, \$0\.0000 spent/,
    );
    expect(run.stdout).toContain('crew: 1/2 resolved (50.0%, 95% interval 9.5–90.5%), 0 infrastructure error(s)');
    const report = await readEvalReport(out);
    const crew = { set: 'crew', error: null, taskStatus: 'approved', review: 'approve', subtasks: 1, modelCalls: 3 };
    expect(report.results.map(verdictOf)).toEqual([
      {
        ...crew,
        instance: 'calc-add',
        outcome: 'resolved',
        before: ['add:fail', 'mul:pass'],
        after: ['add:pass', 'mul:pass'],
        tokens: 330,
      },
      {
        ...crew,
        instance: 'calc-neg',
        outcome: 'unresolved',
        before: ['neg:fail', 'mul:pass'],
        after: ['neg:fail', 'mul:pass'],
        tokens: 330,
      },
    ]);
    expect(report.summaries).toEqual([
      {
        set: 'crew',
        instances: 2,
        resolved: 1,
        unresolved: 1,
        errors: 0,
        resolvedPct: 50,
        interval: { low: 9.5, high: 90.5 },
        costUsd: 0,
        tokens: 660,
        modelCalls: 6,
        wallMs: expect.any(Number),
      },
    ]);
    expect(report.comparison).toBeNull();
    for (const result of report.results) {
      for (const path of Object.values(result.paths)) expect(existsSync(join(out, path ?? 'missing'))).toBe(true);
    }
    expect(await readFile(join(out, 'instances/crew/calc-neg/diff.patch'), 'utf8')).toContain(
      '+export const neg = (x) => 1 - x;',
    );
  });

  it('--set both runs each instance solo (no planner) and as a crew, side by side; --report renders it again', async () => {
    const dir = await tempDirFor('eval both');
    const { file } = await writeEvalFixture(dir);
    const scripts = await writeScripts(dir);
    const out = join(dir, 'out');
    const run = await runCli([
      'eval',
      file,
      '--model',
      `scripted:${scripts}`,
      '--set',
      'both',
      '--parallel',
      '2',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = await readEvalReport(out);
    expect(report.results.map((r) => [r.set, r.instance_id, r.outcome, r.subtasks, r.modelCalls])).toEqual([
      ['solo', 'calc-add', 'resolved', 1, 2],
      ['solo', 'calc-neg', 'unresolved', 1, 2],
      ['crew', 'calc-add', 'resolved', 1, 3],
      ['crew', 'calc-neg', 'unresolved', 1, 3],
    ]);
    expect(report.summaries.map((s) => [s.set, s.resolvedPct])).toEqual([
      ['solo', 50],
      ['crew', 50],
    ]);
    expect(report.comparison).toEqual({ resolvedPctPoints: 0, costUsd: 0, wallMs: expect.any(Number) });
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('## Solo and crew side by side');
    expect(markdown).toContain('| calc-add | resolved | resolved |');
    expect(markdown).toContain('| calc-neg | unresolved | unresolved |');

    await writeFile(join(out, 'report.md'), 'overwritten\n');
    const again = await runCli(['eval', '--report', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toBe(markdown);
  });

  it('--budget-usd starts no new instance once the budget is spent, and still writes the report', async () => {
    const dir = await tempDirFor('eval budget');
    const { file } = await writeEvalFixture(dir);
    // A priced model name (the catalog's gpt-4.1-mini) answered by the scripted server, so that the run spends.
    const server = await startScriptedModelServer({
      script: ModelScript.parse(fixScript('src/add.mjs', 'export const add = (a, b) => a + b;\n')),
    });
    const out = join(dir, 'out');
    try {
      const run = await runCli(['eval', file, '--model', 'gpt-4.1-mini', '--budget-usd', '0.0001', '--out', out], {
        env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'scripted' },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('eval: stopped: the budget of $0.0001 was spent');
    } finally {
      await server.close();
    }
    const report = await readEvalReport(out);
    expect(report.results.map((r) => [r.instance_id, r.outcome])).toEqual([['calc-add', 'resolved']]);
    expect(report.results[0]?.costUsd).toBeGreaterThan(0);
    expect(report.stopped).toMatch(/^the budget of \$0.0001 was spent/);
    expect(report.notRun).toEqual([{ instance_id: 'calc-neg', set: 'crew' }]);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('1 run(s) not started.');
  });

  it('--gold resolves every instance of the shipped set', async () => {
    const out = join(await tempDirFor('eval shipped gold'), 'out');
    const run = await runCli(
      ['eval', join(ROOT, 'examples/eval/instances.jsonl'), '--gold', '--parallel', '3', '--out', out],
      {
        timeoutMs: 1_500_000,
      },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = await readEvalReport(out);
    expect(report.skipped).toEqual([]);
    expect(report.results.length).toBeGreaterThanOrEqual(12);
    expect(report.results.filter((result) => result.outcome !== 'resolved')).toEqual([]);
  }, 1_500_000);
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalInstance, loadInstances, modelFor, taskSpecFor } from '../src/index.ts';

const VALID = {
  instance_id: 'lib-1',
  repo: 'repos/lib.bundle',
  base_commit: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2',
  problem_statement: 'Fix the parser.',
  test_patch: '',
  FAIL_TO_PASS: ['test_parse'],
  PASS_TO_PASS: ['test_other'],
  patch: '',
  test_command: 'python3 -m pytest -q {tests}',
};

describe('the instance schema', () => {
  it('accepts a SWE-bench-style line with codecrew fields and fills the optional ones', () => {
    const { test_patch: _t, PASS_TO_PASS: _p, patch: _g, ...minimal } = VALID;
    expect(EvalInstance.parse(minimal)).toEqual({ ...minimal, test_patch: '', PASS_TO_PASS: [], patch: '' });
    expect(EvalInstance.parse({ ...VALID, image: 'my/image:1', version: '1.2' })).toMatchObject({
      image: 'my/image:1',
    });
  });

  it('names the field at fault', () => {
    const paths = (value: unknown) =>
      EvalInstance.safeParse(value).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(paths({ ...VALID, test_command: 'pytest' })).toEqual([
      ['test_command', 'must contain {tests}, where the test name goes'],
    ]);
    expect(paths({ ...VALID, FAIL_TO_PASS: [] })).toEqual([
      ['FAIL_TO_PASS', 'at least one test that the fix makes pass'],
    ]);
    expect(paths({ ...VALID, PASS_TO_PASS: ['ok', 3] })?.[0]?.[0]).toBe('PASS_TO_PASS.1');
    expect(paths({ ...VALID, base_commit: 'main' })?.[0]?.[0]).toBe('base_commit');
  });
});

describe('loadInstances', () => {
  it('reports each bad line with its number and field, skips it, and resolves relative repositories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codecrew-eval-load-'));
    const file = join(dir, 'instances.jsonl');
    const lines = [
      JSON.stringify(VALID),
      '',
      '{"instance_id": ',
      JSON.stringify({ ...VALID, instance_id: 'lib-2', FAIL_TO_PASS: 'test_parse' }),
      JSON.stringify({ ...VALID, instance_id: 'lib-3', repo: 'https://example.com/lib.git' }),
      JSON.stringify(VALID),
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const loaded = loadInstances(file);
    expect(loaded.instances.map((instance) => [instance.instance_id, instance.repo])).toEqual([
      ['lib-1', join(dir, 'repos/lib.bundle')],
      ['lib-3', 'https://example.com/lib.git'],
    ]);
    expect(loaded.problems.map((problem) => [problem.line, problem.field])).toEqual([
      [3, ''],
      [4, 'FAIL_TO_PASS'],
      [6, 'instance_id'],
    ]);
    expect(loaded.problems[2]?.message).toBe('lib-1 is already on an earlier line');
  });
});

describe('the task of an instance', () => {
  const instance = EvalInstance.parse({ ...VALID, repo: '/repos/lib', image: 'lib-image:1' });

  it('is a code task at base_commit with the problem statement; solo does not decompose', () => {
    const crew = taskSpecFor(instance, 'crew', { repoPath: '/tmp/work', outDir: '/tmp/out' });
    expect(crew.spec).toMatchObject({
      repo: { path: '/tmp/work', ref: VALID.base_commit },
      mode: 'code',
      prompt: 'Fix the parser.',
      sandbox: { image: 'lib-image:1' },
      output: { dir: '/tmp/out' },
    });
    expect(crew.spec.plan).toBeUndefined();
    expect(taskSpecFor(instance, 'solo', { repoPath: '/tmp/work', outDir: '/tmp/out' }).spec.plan).toEqual({
      approval: 'none',
      onTimeout: 'cancel',
      decompose: false,
    });
  });

  it('takes its script from a scripted:DIR folder, preferring the one of its set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codecrew-eval-scripts-'));
    await writeFile(join(dir, 'lib-1.yaml'), 'version: 1\nrules: []\n');
    await writeFile(join(dir, 'lib-1.solo.yaml'), 'version: 1\nrules: []\n');
    expect(modelFor(`scripted:${dir}`, instance, 'solo')).toBe(`scripted:${join(dir, 'lib-1.solo.yaml')}`);
    expect(modelFor(`scripted:${dir}`, instance, 'crew')).toBe(`scripted:${join(dir, 'lib-1.yaml')}`);
    expect(modelFor('gpt-4.1-mini', instance, 'crew')).toBe('gpt-4.1-mini');
  });
});

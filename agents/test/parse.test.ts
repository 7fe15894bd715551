import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTestOutput } from '../src/tester/parse/index.ts';

/** Runs a command and returns what a tester sees: stdout and stderr together. */
function run(cmd: string, args: string[], cwd: string): string {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  if (res.error !== undefined)
    throw new Error(`${cmd} could not be started (${res.error.message}); install it to run this test`);
  return `${res.stdout}\n${res.stderr}`;
}

describe('parseTestOutput on real output', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codecrew-parse-'));
    writeFileSync(
      join(dir, 'mixed.test.mjs'),
      [
        "import test from 'node:test';",
        "import assert from 'node:assert';",
        "test('ok', () => {});",
        "test('ok2', () => {});",
        "test('bad', () => { assert.equal(1, 2); });",
        "test('sk', { skip: true }, () => {});",
        "test('td', { todo: true }, () => {});",
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'green.test.mjs'),
      "import test from 'node:test';\ntest('a', () => {});\ntest('b', () => {});\n",
    );
    writeFileSync(
      join(dir, 'test_mixed.py'),
      [
        'import unittest',
        'class T(unittest.TestCase):',
        '    def test_a(self): pass',
        '    def test_b(self): pass',
        '    def test_c(self): self.assertEqual(1, 2)',
        '    def test_d(self): raise RuntimeError("boom")',
        '    @unittest.skip("no")',
        '    def test_e(self): pass',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'test_green.py'),
      'import unittest\nclass T(unittest.TestCase):\n    def test_a(self): pass\n    @unittest.skip("no")\n    def test_b(self): pass\n',
    );
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('node --test, TAP reporter', () => {
    expect(parseTestOutput(run(process.execPath, ['--test', '--test-reporter=tap', 'mixed.test.mjs'], dir))).toEqual({
      framework: 'node',
      passed: 2,
      failed: 1,
      skipped: 2,
      total: 5,
      recognised: true,
    });
  });

  it('node --test, spec reporter, several files', () => {
    const out = run(process.execPath, ['--test', '--test-reporter=spec', 'mixed.test.mjs', 'green.test.mjs'], dir);
    expect(out).toContain('ℹ pass 4');
    expect(parseTestOutput(out)).toEqual({
      framework: 'node',
      passed: 4,
      failed: 1,
      skipped: 2,
      total: 7,
      recognised: true,
    });
  });

  it('python3 -m unittest, failing and passing', () => {
    expect(parseTestOutput(run('python3', ['-m', 'unittest', 'test_mixed'], dir))).toEqual({
      framework: 'unittest',
      passed: 2,
      failed: 2,
      skipped: 1,
      total: 5,
      recognised: true,
    });
    expect(parseTestOutput(run('python3', ['-m', 'unittest', 'test_green'], dir))).toEqual({
      framework: 'unittest',
      passed: 1,
      failed: 0,
      skipped: 1,
      total: 2,
      recognised: true,
    });
  });

  it('two unittest runs in one output are added up', () => {
    const out =
      run('python3', ['-m', 'unittest', 'test_mixed'], dir) + run('python3', ['-m', 'unittest', 'test_green'], dir);
    expect(parseTestOutput(out)).toEqual({
      framework: 'unittest',
      passed: 3,
      failed: 2,
      skipped: 2,
      total: 7,
      recognised: true,
    });
  });
});

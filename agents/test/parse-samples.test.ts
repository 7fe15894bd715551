import { describe, expect, it } from 'vitest';
import { parseTestOutput } from '../src/tester/parse/index.ts';

// Closing output of each runner as it prints it (pytest 8, vitest 4, cargo 1.x captured here; the rest
// follow the runners' documented formats).
describe('parseTestOutput on representative samples', () => {
  it('pytest, with and without the = rule', () => {
    const full = [
      'FAILED test_m.py::T::test_c - AssertionError: 1 != 2',
      'FAILED test_m.py::T::test_d - RuntimeError: boom',
      '==================== 2 failed, 3 passed, 2 skipped in 2.09s ====================',
    ].join('\n');
    expect(parseTestOutput(full)).toEqual({
      framework: 'pytest',
      passed: 3,
      failed: 2,
      skipped: 2,
      total: 7,
      recognised: true,
    });
    expect(
      parseTestOutput(
        '.s                                                                       [100%]\n1 passed, 1 skipped in 1.28s\n',
      ),
    ).toEqual({
      framework: 'pytest',
      passed: 1,
      failed: 0,
      skipped: 1,
      total: 2,
      recognised: true,
    });
    expect(
      parseTestOutput('=== 1 failed, 4 passed, 1 xfailed, 1 xpassed, 2 warnings, 1 error in 0.50s (0:00:00) ==='),
    ).toEqual({
      framework: 'pytest',
      passed: 5,
      failed: 2,
      skipped: 1,
      total: 8,
      recognised: true,
    });
    expect(parseTestOutput('============================ no tests ran in 0.01s =============================')).toEqual(
      {
        framework: 'pytest',
        passed: 0,
        failed: 0,
        skipped: 0,
        total: 0,
        recognised: true,
      },
    );
  });

  it('unittest with expected failures and unexpected successes', () => {
    const out =
      '----------------------------------------------------------------------\nRan 6 tests in 0.003s\n\nFAILED (failures=1, skipped=1, expected failures=1, unexpected successes=1)\n';
    expect(parseTestOutput(out)).toEqual({
      framework: 'unittest',
      passed: 3,
      failed: 2,
      skipped: 1,
      total: 6,
      recognised: true,
    });
  });

  it('jest, several projects added up', () => {
    const one =
      'Test Suites: 1 failed, 2 passed, 3 total\nTests:       1 failed, 1 skipped, 1 todo, 5 passed, 8 total\nSnapshots:   0 total\nTime:        1.234 s\nRan all test suites.';
    const two =
      'Test Suites: 1 passed, 1 total\nTests:       2 passed, 2 total\nSnapshots:   0 total\nTime:        0.5 s';
    expect(parseTestOutput(`${one}\n${two}`)).toEqual({
      framework: 'jest',
      passed: 7,
      failed: 1,
      skipped: 2,
      total: 10,
      recognised: true,
    });
  });

  it('vitest, coloured as on a terminal', () => {
    const out = [
      ' \u001b[2mTest Files \u001b[22m \u001b[1m\u001b[31m1 failed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[1m\u001b[32m1 passed\u001b[39m\u001b[22m\u001b[90m (2)\u001b[39m',
      '\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[31m1 failed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[1m\u001b[32m2 passed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[33m1 skipped\u001b[39m\u001b[2m | \u001b[22m\u001b[90m1 todo\u001b[39m\u001b[90m (5)\u001b[39m',
      '\u001b[2m   Start at \u001b[22m 01:56:34',
      '\u001b[2m   Duration \u001b[22m 914ms',
    ].join('\n');
    expect(parseTestOutput(out)).toEqual({
      framework: 'vitest',
      passed: 2,
      failed: 1,
      skipped: 2,
      total: 5,
      recognised: true,
    });
    expect(parseTestOutput(' Test Files  3 passed (3)\n      Tests  5 passed (5)\n')).toEqual({
      framework: 'vitest',
      passed: 5,
      failed: 0,
      skipped: 0,
      total: 5,
      recognised: true,
    });
  });

  it('mocha', () => {
    const out =
      '  suite\n    ✔ works\n    1) breaks\n\n\n  5 passing (12ms)\n  2 failing\n  1 pending\n\n  1) suite\n       breaks:\n     Error: no';
    expect(parseTestOutput(out)).toEqual({
      framework: 'mocha',
      passed: 5,
      failed: 2,
      skipped: 1,
      total: 8,
      recognised: true,
    });
  });

  it('go test -v, subtests not counted twice, packages added up', () => {
    const out = [
      '=== RUN   TestAdd',
      '--- PASS: TestAdd (0.00s)',
      '=== RUN   TestTable',
      '=== RUN   TestTable/empty',
      '    --- PASS: TestTable/empty (0.00s)',
      '--- PASS: TestTable (0.00s)',
      '=== RUN   TestSkip',
      '    x_test.go:20: not on this OS',
      '--- SKIP: TestSkip (0.00s)',
      'PASS',
      'ok  \texample.com/calc\t0.003s',
      '=== RUN   TestBroken',
      '    y_test.go:9: got 1, want 2',
      '--- FAIL: TestBroken (0.00s)',
      'FAIL',
      'FAIL\texample.com/other\t0.002s',
      'FAIL',
    ].join('\n');
    expect(parseTestOutput(out)).toEqual({
      framework: 'go',
      passed: 2,
      failed: 1,
      skipped: 1,
      total: 4,
      recognised: true,
    });
  });

  it('go test without -v knows failures but not passes, and counts a build failure', () => {
    expect(parseTestOutput('ok  \texample.com/calc\t(cached)\nok  \texample.com/util\t0.010s\n')).toEqual({
      framework: 'go',
      passed: 0,
      failed: 0,
      skipped: 0,
      total: null,
      recognised: true,
    });
    expect(
      parseTestOutput('# example.com/calc\n./calc.go:3:1: syntax error\nFAIL\texample.com/calc [build failed]\nFAIL\n'),
    ).toEqual({
      framework: 'go',
      passed: 0,
      failed: 1,
      skipped: 0,
      total: null,
      recognised: true,
    });
  });

  it('cargo test, unit, integration and doc tests added up', () => {
    const out = [
      '     Running unittests src/lib.rs (target/debug/deps/ct-0123)',
      'running 4 tests',
      'test more::b ... ignored',
      'test more::c ... FAILED',
      'test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.19s',
      '     Running tests/api.rs (target/debug/deps/api-4567)',
      'test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
      '   Doc-tests ct',
      'test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s',
    ].join('\n');
    expect(parseTestOutput(out)).toEqual({
      framework: 'cargo',
      passed: 5,
      failed: 1,
      skipped: 1,
      total: 7,
      recognised: true,
    });
  });

  it('the generic closing line, with and without a label', () => {
    expect(parseTestOutput('running...\n12 passed, 0 failed\n')).toEqual({
      framework: 'generic',
      passed: 12,
      failed: 0,
      skipped: 0,
      total: 12,
      recognised: true,
    });
    expect(parseTestOutput('Results: 3 passed, 1 failed, 2 skipped')).toEqual({
      framework: 'generic',
      passed: 3,
      failed: 1,
      skipped: 2,
      total: 6,
      recognised: true,
    });
  });

  it('different frameworks in one run are added up', () => {
    const out =
      '# tests 2\n# pass 2\n# fail 0\n# skipped 0\n# todo 0\n\n========== 1 failed, 1 passed in 0.10s ==========\n';
    expect(parseTestOutput(out)).toEqual({
      framework: 'node+pytest',
      passed: 3,
      failed: 1,
      skipped: 0,
      total: 4,
      recognised: true,
    });
  });

  it('unknown output is not recognised', () => {
    expect(parseTestOutput('make: *** [test] Error 2\nsomething went wrong\n')).toEqual({
      framework: 'unknown',
      passed: 0,
      failed: 0,
      skipped: 0,
      total: null,
      recognised: false,
    });
    expect(parseTestOutput('')).toEqual({
      framework: 'unknown',
      passed: 0,
      failed: 0,
      skipped: 0,
      total: null,
      recognised: false,
    });
  });
});

import type { Counts, Detector } from './types.ts';

/**
 * `go test`: top-level `--- PASS/FAIL/SKIP:` lines (printed with -v; failures always)
 * and the per-package `ok` / `FAIL` lines. Without -v the number passed is unknown.
 */
export const detectGo: Detector = (rawLines) => {
  let packages = 0;
  let failedPackages = 0;
  const tests = { PASS: 0, FAIL: 0, SKIP: 0 };
  for (const line of rawLines) {
    // Subtests are named Parent/child; only top-level tests are counted.
    const result = /^--- (PASS|FAIL|SKIP): [^\s/]+ /.exec(line);
    if (result !== null) {
      tests[result[1] as keyof typeof tests]++;
      continue;
    }
    const pkg = /^(ok|FAIL)\s+\S+\s+(?:\d+(?:\.\d+)?s|\(cached\)|\[[^\]]+\])/.exec(line);
    if (pkg === null) continue;
    packages++;
    if (pkg[1] === 'FAIL') failedPackages++;
  }
  if (packages === 0 && tests.PASS + tests.FAIL + tests.SKIP === 0) return null;
  // A package that failed without a failing test (build or setup failure) still counts as a failure.
  const failed = Math.max(tests.FAIL, failedPackages);
  const perTest = tests.PASS + tests.SKIP > 0;
  return { passed: tests.PASS, failed, skipped: tests.SKIP, total: perTest ? tests.PASS + failed + tests.SKIP : null };
};

/** `cargo test`: `test result: ok. 3 passed; 0 failed; 1 ignored; ...`, one line per test binary. */
export const detectCargo: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const line of lines) {
    const match = /^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;/.exec(line);
    if (match === null) continue;
    const [passed, failed, ignored] = [Number(match[1]), Number(match[2]), Number(match[3])];
    found = true;
    sum.passed += passed;
    sum.failed += failed;
    sum.skipped += ignored;
    sum.total = (sum.total ?? 0) + passed + failed + ignored;
  }
  return found ? sum : null;
};

/** The plain closing line any runner may print: `N passed, N failed` (`, N skipped` may follow; one `word:` may precede). */
export const detectGeneric: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const line of lines) {
    const match = /^(?:[\w-]+:\s*)?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(line);
    if (match === null) continue;
    const [passed, failed, skipped] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
    found = true;
    sum.passed += passed;
    sum.failed += failed;
    sum.skipped += skipped;
    sum.total = (sum.total ?? 0) + passed + failed + skipped;
  }
  return found ? sum : null;
};

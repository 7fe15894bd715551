import { counted, sumLines, type Detector } from './types.ts';

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
export const detectCargo: Detector = (lines) =>
  sumLines(lines, (line) => {
    const match = /^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;/.exec(line);
    return match === null ? null : counted(Number(match[1]), Number(match[2]), Number(match[3]));
  });

/** The plain closing line any runner may print: `N passed, N failed` (`, N skipped` may follow; one `word:` may precede). */
export const detectGeneric: Detector = (lines) =>
  sumLines(lines, (line) => {
    const match = /^(?:[\w-]+:\s*)?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(line);
    return match === null ? null : counted(Number(match[1]), Number(match[2]), Number(match[3] ?? 0));
  });

import { ZERO, countItems, counted, sumLines, type Counts, type Detector } from './types.ts';

/** Python unittest: `Ran N tests` followed by `OK`, `OK (skipped=K)` or `FAILED (failures=F, errors=E, ...)`. */
export const detectUnittest: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (let i = 0; i < lines.length; i++) {
    const ran = /^Ran (\d+) tests? in [\d.]+s$/.exec(lines[i] ?? '');
    if (ran === null) continue;
    const verdict = lines.slice(i + 1, i + 4).find((l) => /^(OK|FAILED|NO TESTS RAN)\b/.test(l));
    if (verdict === undefined) continue;
    const fields = new Map<string, number>();
    for (const [, key = '', value] of verdict.matchAll(/([a-z ]+)=(\d+)/g)) fields.set(key.trim(), Number(value));
    const n = Number(ran[1]);
    const failed =
      (fields.get('failures') ?? 0) + (fields.get('errors') ?? 0) + (fields.get('unexpected successes') ?? 0);
    const skipped = fields.get('skipped') ?? 0;
    found = true;
    sum.passed += Math.max(0, n - failed - skipped);
    sum.failed += failed;
    sum.skipped += skipped;
    sum.total = (sum.total ?? 0) + n;
  }
  return found ? sum : null;
};

const PYTEST_WORDS = new Set([
  'passed',
  'failed',
  'skipped',
  'error',
  'errors',
  'xfailed',
  'xpassed',
  'deselected',
  'warning',
  'warnings',
  'rerun',
]);

/** pytest's closing line: `== 3 passed, 1 failed, 2 skipped in 0.12s ==` (or without the `=` rule under -q). */
export const detectPytest: Detector = (lines) =>
  sumLines(lines, (line) => {
    const match = /^=*\s*(.+?) in [\d.]+ ?s(?:econds)?(?: \([^)]*\))?\s*=*$/.exec(line);
    if (match === null) return null;
    const body = match[1] ?? '';
    if (body === 'no tests ran') return ZERO;
    const items = countItems(body.split(','));
    if (items === null || ![...items.keys()].every((k) => PYTEST_WORDS.has(k))) return null;
    const get = (k: string): number => items.get(k) ?? 0;
    return counted(
      get('passed') + get('xpassed'),
      get('failed') + get('error') + get('errors'),
      get('skipped') + get('xfailed'),
    );
  });

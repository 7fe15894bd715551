import { countItems, counted, sumLines, type Counts, type Detector } from './types.ts';

/** Jest: `Tests:       1 failed, 1 skipped, 5 passed, 7 total`. */
export const detectJest: Detector = (lines) =>
  sumLines(lines, (line) => {
    const match = /^Tests:\s+(.+)$/.exec(line);
    const items = match === null ? null : countItems((match[1] ?? '').split(','));
    if (items === null) return null;
    const get = (k: string): number => items.get(k) ?? 0;
    const counts = counted(get('passed'), get('failed'), get('skipped') + get('todo'));
    return { ...counts, total: items.get('total') ?? counts.total };
  });

/** Vitest: `Tests  1 failed | 2 passed | 1 skipped | 1 todo (5)`. */
export const detectVitest: Detector = (lines) =>
  sumLines(lines, (line) => {
    const match = /^Tests\s+(.+?)\s+\((\d+)\)$/.exec(line);
    const items = match === null ? null : countItems((match[1] ?? '').split('|'));
    if (match === null || items === null) return null;
    const get = (k: string): number => items.get(k) ?? 0;
    return {
      passed: get('passed'),
      failed: get('failed'),
      skipped: get('skipped') + get('todo'),
      total: Number(match[2]),
    };
  });

/** mocha: `5 passing (12ms)`, `2 failing`, `1 pending`. */
export const detectMocha: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const line of lines) {
    const match = /^(\d+) (passing|failing|pending)(?: \(\d+(?:\.\d+)?\s*(?:ms|s|m)\))?$/.exec(line);
    if (match === null) continue;
    const n = Number(match[1]);
    if (match[2] === 'passing') {
      found = true;
      sum.passed += n;
    } else if (match[2] === 'failing') sum.failed += n;
    else sum.skipped += n;
    sum.total = (sum.total ?? 0) + n;
  }
  return found ? sum : null;
};

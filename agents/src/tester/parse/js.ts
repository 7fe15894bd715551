import { countItems, type Counts, type Detector } from './types.ts';

/** Jest: `Tests:       1 failed, 1 skipped, 5 passed, 7 total`. */
export const detectJest: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const line of lines) {
    const match = /^Tests:\s+(.+)$/.exec(line);
    if (match === null) continue;
    const items = countItems((match[1] ?? '').split(','));
    if (items === null) continue;
    const get = (k: string): number => items.get(k) ?? 0;
    found = true;
    sum.passed += get('passed');
    sum.failed += get('failed');
    sum.skipped += get('skipped') + get('todo');
    sum.total = (sum.total ?? 0) + (items.get('total') ?? get('passed') + get('failed') + get('skipped') + get('todo'));
  }
  return found ? sum : null;
};

/** Vitest: `Tests  1 failed | 2 passed | 1 skipped | 1 todo (5)`. */
export const detectVitest: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const line of lines) {
    const match = /^Tests\s+(.+?)\s+\((\d+)\)$/.exec(line);
    if (match === null) continue;
    const items = countItems((match[1] ?? '').split('|'));
    if (items === null) continue;
    const get = (k: string): number => items.get(k) ?? 0;
    found = true;
    sum.passed += get('passed');
    sum.failed += get('failed');
    sum.skipped += get('skipped') + get('todo');
    sum.total = (sum.total ?? 0) + Number(match[2]);
  }
  return found ? sum : null;
};

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

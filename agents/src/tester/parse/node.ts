import type { Counts, Detector } from './types.ts';

const LINE = /^(?:#|ℹ)\s+(tests|pass|fail|cancelled|skipped|todo)\s+(\d+)$/;

/** Node's built-in runner: the TAP reporter's `# pass N` and the spec reporter's `ℹ pass N` summaries. */
export const detectNode: Detector = (lines) => {
  let found = false;
  const sum: Counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const line of lines) {
    const match = LINE.exec(line);
    if (match === null) continue;
    const n = Number(match[2]);
    switch (match[1]) {
      case 'tests':
        sum.total = (sum.total ?? 0) + n;
        break;
      case 'pass':
        found = true;
        sum.passed += n;
        break;
      case 'fail':
      case 'cancelled':
        sum.failed += n;
        break;
      default:
        sum.skipped += n;
    }
  }
  return found ? sum : null;
};

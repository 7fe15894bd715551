import { detectJest, detectMocha, detectVitest } from './js.ts';
import { detectCargo, detectGeneric, detectGo } from './native.ts';
import { detectNode } from './node.ts';
import { detectPytest, detectUnittest } from './python.ts';
import { addCounts, ZERO, type Detector, type ParsedCounts } from './types.ts';

const DETECTORS: Array<[string, Detector]> = [
  ['node', detectNode],
  ['jest', detectJest],
  ['vitest', detectVitest],
  ['pytest', detectPytest],
  ['unittest', detectUnittest],
  ['mocha', detectMocha],
  ['cargo', detectCargo],
  ['go', detectGo],
];

// CSI sequences (colours, cursor moves) that runners print on a terminal or with FORCE_COLOR.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * Reads pass/fail/skip counts from a test command's output. Several summaries of one
 * framework (multiple suites or packages) are added up, and so are different frameworks
 * run by one command (framework `node+pytest`); the plain `N passed, N failed` line is
 * used only when no framework summary is found.
 *
 * @example
 * parseTestOutput('== 3 passed, 1 failed in 0.12s ==') // { framework: 'pytest', passed: 3, failed: 1, ... }
 */
export function parseTestOutput(output: string): ParsedCounts {
  const lines = output
    .replace(ANSI, '')
    .split(/\r?\n|\r/)
    .map((l) => l.trim());
  let names: string[] = [];
  let sum = ZERO;
  for (const [name, detect] of DETECTORS) {
    const counts = detect(lines);
    if (counts === null) continue;
    names.push(name);
    sum = addCounts(sum, counts);
  }
  if (names.length === 0) {
    const generic = detectGeneric(lines);
    if (generic !== null) {
      names = ['generic'];
      sum = generic;
    }
  }
  if (names.length === 0)
    return { framework: 'unknown', passed: 0, failed: 0, skipped: 0, total: null, recognised: false };
  return { framework: names.join('+'), ...sum, recognised: true };
}

/** A parsed semantic version (https://semver.org). */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses "1.2.3", "v1.2.3-beta.1" or "1.2.3+build.5"; throws on anything else. */
export function parseVersion(text: string): Version {
  const match = VERSION.exec(text.trim());
  if (!match) throw new Error(`not a semantic version: "${text}"`);
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

/** -1 when a < b, 1 when a > b, 0 when they have the same precedence. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseVersion(a);
  const right = parseVersion(b);
  for (const part of ['major', 'minor', 'patch'] as const) {
    if (left[part] !== right[part]) return left[part] < right[part] ? -1 : 1;
  }
  return comparePrerelease(left.prerelease, right.prerelease);
}

const NUMERIC = /^\d+$/;

/**
 * Pre-release precedence (semver.org, item 11): no pre-release ranks above any;
 * identifiers compare left to right, numbers numerically and below words,
 * words in ASCII order; a shorter list that is a prefix ranks lower.
 */
function comparePrerelease(left: string[], right: string[]): -1 | 0 | 1 {
  if (left.length === 0 || right.length === 0) {
    if (left.length === right.length) return 0;
    return left.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareIdentifiers(left[i], right[i]);
    if (order !== 0) return order;
  }
  if (left.length === right.length) return 0;
  return left.length < right.length ? -1 : 1;
}

function compareIdentifiers(a: string, b: string): -1 | 0 | 1 {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) {
    const difference = Number(a) - Number(b);
    return difference === 0 ? 0 : difference < 0 ? -1 : 1;
  }
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

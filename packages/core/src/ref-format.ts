/**
 * git's rules for branch names (`git check-ref-format --branch`), checked
 * without running git, plus the length limits of git's files ref store:
 * every branch is a file under `.git/refs/heads/`, written through
 * `<name>.lock`, so each `/`-separated part must fit in a file name.
 */

/** Longest file name on the file systems git runs on (NAME_MAX). */
export const MAX_REF_COMPONENT_BYTES = 255;

/**
 * Longest last part of a branch name: room is left for git's `.lock` suffix
 * and for the `-N` (up to `-100`) codecrew appends when the branch exists.
 */
export const MAX_BRANCH_LEAF_BYTES = MAX_REF_COMPONENT_BYTES - '.lock'.length - '-100'.length;

/** Longest branch name codecrew accepts: well inside PATH_MAX with the repository's own path in front. */
export const MAX_BRANCH_BYTES = 1024;

// Characters git refuses anywhere in a ref name, besides control characters, space and DEL.
const FORBIDDEN = new Set(['~', '^', ':', '?', '*', '[', '\\']);

function forbiddenChar(name: string): string | null {
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || FORBIDDEN.has(char)) return char;
  }
  return null;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === ' ') return 'a space';
  if (code < 0x20 || code === 0x7f)
    return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${char}'`;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Why git (or its ref store) would refuse `name` as a new branch, or null
 * when it is a valid branch name. Follows `git check-ref-format --branch`:
 * no leading `-`, not `HEAD`, no `..`, `@{`, control characters, space,
 * `~ ^ : ? * [ \`, no empty part (`//`, leading or trailing `/`), no part
 * starting with `.` or ending with `.lock`, no trailing `.`; and the length
 * limits {@link MAX_REF_COMPONENT_BYTES}, {@link MAX_BRANCH_LEAF_BYTES},
 * {@link MAX_BRANCH_BYTES}.
 *
 * @example branchNameProblem('codecrew/fix..it') // "must not contain '..'"
 */
export function branchNameProblem(name: string): string | null {
  if (name === '') return 'must not be empty';
  if (name.startsWith('-')) return "must not start with '-'";
  if (name === 'HEAD') return "must not be 'HEAD'";
  const bad = forbiddenChar(name);
  if (bad !== null) return `must not contain ${describeChar(bad)}`;
  if (name.includes('..')) return "must not contain '..'";
  if (name.includes('@{')) return "must not contain '@{'";
  if (name.endsWith('.')) return "must not end with '.'";
  const parts = name.split('/');
  for (const [index, part] of parts.entries()) {
    if (part === '') return "must not start or end with '/' or contain '//'";
    if (part.startsWith('.')) return `has a part starting with '.' ('${preview(part)}')`;
    if (part.endsWith('.lock')) return `has a part ending with '.lock' ('${preview(part)}')`;
    const limit = index === parts.length - 1 ? MAX_BRANCH_LEAF_BYTES : MAX_REF_COMPONENT_BYTES;
    const size = bytes(part);
    if (size > limit) {
      return `has a part of ${size} bytes between '/'s; git keeps each part as a file name, so at most ${limit} bytes are allowed`;
    }
  }
  const total = bytes(name);
  if (total > MAX_BRANCH_BYTES) return `is ${total} bytes long; at most ${MAX_BRANCH_BYTES} are allowed`;
  return null;
}

/** A short form of a long name part, for messages. */
function preview(part: string): string {
  return part.length <= 40 ? part : `${part.slice(0, 37)}...`;
}

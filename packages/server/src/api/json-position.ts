const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;

/**
 * The offset of the first syntax error in JSON text (where `JSON.parse` gives up), or null when there is
 * none. Iterative, so deep nesting cannot exhaust the stack.
 */
export function jsonErrorOffset(text: string): number | null {
  let at = 0;
  const open: string[] = [];
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text[at] as string)) at++;
  };
  const token = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };
  let expectValue = true;
  for (;;) {
    skip();
    if (expectValue) {
      const c = text[at];
      if (c === '{' || c === '[') {
        open.push(c);
        at++;
        skip();
        if (text[at] === (c === '{' ? '}' : ']')) {
          open.pop();
          at++;
          expectValue = false;
          continue;
        }
        if (c === '{') {
          if (!token(STRING)) return at;
          skip();
          if (text[at] !== ':') return at;
          at++;
        }
        continue;
      }
      if (!token(STRING) && !token(NUMBER) && !token(LITERAL)) return at;
      expectValue = false;
      continue;
    }
    const inside = open.at(-1);
    if (inside === undefined) return at === text.length ? null : at;
    const c = text[at];
    if (c === ',') {
      at++;
      if (inside === '{') {
        skip();
        if (!token(STRING)) return at;
        skip();
        if (text[at] !== ':') return at;
        at++;
      }
      expectValue = true;
    } else if (c === (inside === '{' ? '}' : ']')) {
      open.pop();
      at++;
    } else {
      return at;
    }
  }
}

/** Line and column (1-based) of an offset in text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

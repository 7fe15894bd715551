/** A token of source text, with its class for colouring. */
export interface Token {
  text: string;
  kind: 'keyword' | 'string' | 'comment' | 'number' | 'plain';
}

const KEYWORDS: Record<string, string[]> = {
  js: 'const let var function return if else for while do switch case break continue new class extends import export from default async await try catch finally throw typeof instanceof in of this null undefined true false yield static get set'.split(
    ' ',
  ),
  py: 'def return if elif else for while in not and or import from as class with try except finally raise None True False lambda yield pass break continue global async await is'.split(
    ' ',
  ),
  go: 'func return if else for range switch case break continue package import var const type struct interface map chan go defer select nil true false'.split(
    ' ',
  ),
  rs: 'fn let mut return if else for while loop match use mod pub struct enum impl trait self Self crate super as in ref true false None Some Ok Err async await move where'.split(
    ' ',
  ),
  sh: 'if then else elif fi for do done while case esac function return export local in'.split(' '),
};
const LANGUAGE_OF: Record<string, keyof typeof KEYWORDS> = {
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  ts: 'js',
  tsx: 'js',
  jsx: 'js',
  mts: 'js',
  json: 'js',
  py: 'py',
  go: 'go',
  rs: 'rs',
  sh: 'sh',
  bash: 'sh',
};

/** The highlighting language of a file path, or undefined when it is not one the viewer knows. */
export function languageOf(path: string): keyof typeof KEYWORDS | undefined {
  return LANGUAGE_OF[path.slice(path.lastIndexOf('.') + 1).toLowerCase()];
}

/** Splits one line of source into tokens: keywords, strings, line comments, numbers and the rest. */
export function highlightLine(line: string, language: keyof typeof KEYWORDS | undefined): Token[] {
  if (language === undefined) return [{ text: line, kind: 'plain' }];
  const keywords = new Set(KEYWORDS[language]);
  const comment = language === 'py' || language === 'sh' ? '#' : '//';
  const tokens: Token[] = [];
  const pattern =
    /("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?)|(\/\/.*|#.*)|(\b\d[\d_.]*\b)|([A-Za-z_$][\w$]*)/g;
  let last = 0;
  const plain = (end: number) => {
    if (end > last) tokens.push({ text: line.slice(last, end), kind: 'plain' });
  };
  for (let match = pattern.exec(line); match !== null; match = pattern.exec(line)) {
    const [text, str, com, number, word] = match;
    if (com !== undefined && !com.startsWith(comment)) {
      // A `#` in JavaScript or `//` in Python is not a comment: leave it plain, and go on after it.
      pattern.lastIndex = match.index + 1;
      continue;
    }
    plain(match.index);
    if (str !== undefined) tokens.push({ text, kind: 'string' });
    else if (com !== undefined) tokens.push({ text, kind: 'comment' });
    else if (number !== undefined) tokens.push({ text, kind: 'number' });
    else tokens.push({ text, kind: word !== undefined && keywords.has(word) ? 'keyword' : 'plain' });
    last = match.index + text.length;
  }
  plain(line.length);
  return tokens;
}

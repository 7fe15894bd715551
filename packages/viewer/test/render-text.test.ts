import { describe, expect, it } from 'vitest';
import { parseAnsi } from '../src/data/ansi.ts';
import { highlightLine, languageOf } from '../src/data/highlight.ts';

describe('parseAnsi', () => {
  it('turns SGR codes into styled segments and drops the escapes', () => {
    const segments = parseAnsi('\u001b[1m\u001b[31mFAIL\u001b[0m 2 tests \u001b[38;5;46mok\u001b[39m\u001b[2K.');
    expect(segments).toEqual([
      { text: 'FAIL', bold: true, fg: '#d54e53' },
      { text: ' 2 tests ' },
      { text: 'ok', fg: 'rgb(0,255,0)' },
      { text: '.', fg: undefined },
    ]);
  });

  it('keeps plain text whole', () => {
    expect(parseAnsi('hello\nworld')).toEqual([{ text: 'hello\nworld' }]);
  });
});

describe('highlightLine', () => {
  it('finds keywords, strings, numbers and comments in JavaScript', () => {
    const tokens = highlightLine("export const n = 42; // 'answer'", languageOf('src/a.ts'));
    expect(tokens.filter((token) => token.kind !== 'plain').map((token) => [token.kind, token.text])).toEqual([
      ['keyword', 'export'],
      ['keyword', 'const'],
      ['number', '42'],
      ['comment', "// 'answer'"],
    ]);
    expect(tokens.map((token) => token.text).join('')).toBe("export const n = 42; // 'answer'");
  });

  it('reads # as a comment in Python only', () => {
    expect(highlightLine('x = 1  # one', 'py').at(-1)).toEqual({ text: '# one', kind: 'comment' });
    expect(
      highlightLine('a.#b', 'js')
        .map((token) => token.text)
        .join(''),
    ).toBe('a.#b');
    expect(highlightLine('plain', languageOf('README'))).toEqual([{ text: 'plain', kind: 'plain' }]);
  });
});

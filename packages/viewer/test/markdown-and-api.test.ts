import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { fieldProblems } from '../src/data/api.ts';
import { Markdown } from '../src/app/Markdown.tsx';

describe('Markdown', () => {
  it('renders headings, lists, code, bold and links of an answer, as elements', () => {
    const html = renderToStaticMarkup(
      createElement(Markdown, {
        text: '# Login\n\nSee `src/auth.ts` and **the session**.\n\n- one\n- [two](src/two.ts)\n\n```mermaid\ngraph TD; A-->B\n```\n',
      }),
    );
    expect(html).toBe(
      '<div class="markdown"><h3>Login</h3><p>See <code>src/auth.ts</code> and <strong>the session</strong>.</p>' +
        '<ul><li>one</li><li><a href="src/two.ts">two</a></li></ul>' +
        // A mermaid block shows its source until mermaid, loaded on first use in the browser, has drawn it.
        '<div class="mermaid-source"><pre class="block lang-mermaid" data-language="mermaid">graph TD; A--&gt;B</pre></div></div>',
    );
  });

  it('escapes HTML and drops javascript: links', () => {
    const html = renderToStaticMarkup(createElement(Markdown, { text: '<img src=x> [x](javascript:void)' }));
    expect(html).toBe('<div class="markdown"><p>&lt;img src=x&gt; x</p></div>');
  });
});

describe('fieldProblems', () => {
  it("reads the server's issues with their field paths and YAML positions", () => {
    expect(
      fieldProblems({
        issues: [
          { path: 'spec.repo', message: 'required', line: 5, column: 3 },
          { path: ['spec', 'items', 0], message: 'bad' },
        ],
      }),
    ).toEqual([
      { path: 'spec.repo', message: 'required', line: 5, column: 3 },
      { path: 'spec.items.0', message: 'bad', line: undefined, column: undefined },
    ]);
    expect(fieldProblems(undefined)).toEqual([]);
  });
});

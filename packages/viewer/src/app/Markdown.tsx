import type { ReactNode } from 'react';
import { MermaidDiagram } from './MermaidDiagram.tsx';

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const [whole, code, bold, link] = match;
    if (code !== undefined) out.push(<code key={match.index}>{code.slice(1, -1)}</code>);
    else if (bold !== undefined) out.push(<strong key={match.index}>{bold.slice(2, -2)}</strong>);
    else if (link !== undefined) {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(link) ?? [];
      const safe =
        href !== undefined && /^(https?:|#|\.{0,2}\/|[\w.-]+($|[#/:]))/.test(href) && !/^javascript:/i.test(href);
      out.push(
        safe ? (
          <a key={match.index} href={href}>
            {label}
          </a>
        ) : (
          label
        ),
      );
    }
    last = match.index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * A small Markdown renderer for Ask answers: headings, paragraphs, lists, fenced code (mermaid blocks
 * drawn as diagrams, see {@link MermaidDiagram}), inline code, bold and links. It builds React elements, never HTML strings.
 */
export function Markdown({ text }: { text: string }) {
  const blocks: ReactNode[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length;) {
    const line = lines[i] as string;
    const fence = /^```(\w*)/.exec(line);
    if (fence !== null) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).startsWith('```')) body.push(lines[i++] as string);
      i++;
      blocks.push(
        fence[1] === 'mermaid' ? (
          <MermaidDiagram key={i} source={body.join('\n')} />
        ) : (
          <pre key={i} className={`block lang-${fence[1] || 'text'}`} data-language={fence[1]}>
            {body.join('\n')}
          </pre>
        ),
      );
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading !== null) {
      const level = Math.min(6, (heading[1] as string).length + 2);
      const Tag = `h${level}` as 'h3';
      blocks.push(<Tag key={i}>{inline(heading[2] as string)}</Tag>);
      i++;
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i] as string)) {
        items.push((lines[i++] as string).replace(/^\s*([-*]|\d+\.)\s+/, ''));
      }
      const List = ordered ? 'ol' : 'ul';
      blocks.push(
        <List key={i}>
          {items.map((item, index) => (
            <li key={index}>{inline(item)}</li>
          ))}
        </List>,
      );
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length &&
      (lines[i] as string).trim() !== '' &&
      !/^(```|#{1,4}\s|\s*([-*]|\d+\.)\s)/.test(lines[i] as string)
    ) {
      paragraph.push(lines[i++] as string);
    }
    blocks.push(<p key={i}>{inline(paragraph.join(' '))}</p>);
  }
  return <div className="markdown">{blocks}</div>;
}

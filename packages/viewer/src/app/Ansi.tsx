import { useMemo } from 'react';
import { parseAnsi } from '../data/ansi.ts';

/** Terminal output with its colours. */
export function AnsiText({ text }: { text: string }) {
  const segments = useMemo(() => parseAnsi(text), [text]);
  return (
    <pre className="terminal" tabIndex={0}>
      {segments.map((segment, index) => (
        <span
          key={index}
          style={{
            color: segment.fg,
            background: segment.bg,
            fontWeight: segment.bold === true ? 'bold' : undefined,
            opacity: segment.dim === true ? 0.7 : undefined,
            textDecoration: segment.underline === true ? 'underline' : undefined,
          }}
        >
          {segment.text}
        </span>
      ))}
    </pre>
  );
}

import { useEffect, useId, useState } from 'react';

type Mermaid = (typeof import('mermaid'))['default'];

let loading: Promise<Mermaid> | undefined;

/** Loads mermaid once, on first use: it is a chunk of its own, so pages without a diagram never fetch it. */
function loadMermaid(): Promise<Mermaid> {
  loading ??= import('mermaid').then(({ default: mermaid }) => {
    // strict: no HTML labels, no click handlers, no scripts from the diagram's text.
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
    return mermaid;
  });
  return loading;
}

type State = { kind: 'loading' } | { kind: 'drawn'; svg: string } | { kind: 'failed'; error: string };

/**
 * A mermaid code block drawn as a diagram. While mermaid loads, and when the source does not parse,
 * it shows the source (with the parse error in the second case).
 */
export function MermaidDiagram({ source }: { source: string }) {
  const id = `mermaid-${useId().replace(/[^\w-]/g, '')}`;
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    let stopped = false;
    setState({ kind: 'loading' });
    loadMermaid()
      .then((mermaid) => mermaid.render(id, source))
      .then(
        ({ svg }) => !stopped && setState({ kind: 'drawn', svg }),
        (error: unknown) => {
          // mermaid leaves the element it drew into behind when the source fails to parse.
          document.getElementById(`d${id}`)?.remove();
          if (!stopped) setState({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
        },
      );
    return () => {
      stopped = true;
    };
  }, [id, source]);
  if (state.kind === 'drawn') {
    // The SVG comes from mermaid with securityLevel 'strict', which sanitizes the labels it draws.
    return (
      <figure className="mermaid" role="img" aria-label="diagram" dangerouslySetInnerHTML={{ __html: state.svg }} />
    );
  }
  return (
    <div className="mermaid-source">
      {state.kind === 'failed' && (
        <div role="alert" className="error">
          This diagram could not be drawn:
          <pre className="mermaid-error">{state.error}</pre>
        </div>
      )}
      <pre className="block lang-mermaid" data-language="mermaid">
        {source}
      </pre>
    </div>
  );
}

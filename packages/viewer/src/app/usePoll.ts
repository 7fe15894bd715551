import { useEffect, useState } from 'react';

/** Calls `load` now and every `everyMs` while mounted; the latest value and error. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const value = await load();
        if (!stopped) setState({ value });
      } catch (error) {
        if (!stopped) setState((old) => ({ ...old, error: error instanceof Error ? error.message : String(error) }));
      }
      if (!stopped && everyMs > 0) timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, deps);
  return state;
}

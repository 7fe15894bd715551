import type { SandboxProvider } from './types.ts';

/** A running reaper; `stop()` ends it. */
export interface Reaper {
  stop(): void;
}

/**
 * Calls `provider.reap()` every `intervalMs` so containers of crashed processes
 * do not pile up. The timer does not keep the process alive; errors go to `onError`.
 */
export function startReaper(
  provider: SandboxProvider,
  intervalMs: number,
  onError: (error: unknown) => void = () => undefined,
): Reaper {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    provider
      .reap()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Listener signatures by event name, e.g. `{ saved: (id: string) => void }`. */
export type EventMap = Record<string, (...args: never[]) => void>;

/** A typed event emitter. */
export class Emitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Calls `listener` on every `event`; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Calls `listener` on the next `event` only; returns a function that cancels it. */
  once<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    const wrapper = ((...args: Parameters<Events[E]>) => {
      remove();
      (listener as (...a: Parameters<Events[E]>) => void)(...args);
    }) as Events[E];
    const remove = this.on(event, wrapper);
    return remove;
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Calls the event's listeners in the order they were added; returns how many ran. */
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): number {
    const set = this.listeners.get(event);
    if (!set) return 0;
    const listeners = [...set];
    for (const listener of listeners) {
      (listener as (...a: Parameters<Events[E]>) => void)(...args);
    }
    return listeners.length;
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

/** Where the token is kept: for this tab only, until it is closed. */
export const TOKEN_KEY = 'codecrew.token';

/** Whether the viewer has to ask for a token, and why. */
export type TokenState = 'none-needed' | 'needed' | 'refused';

/**
 * The API token of a server started with `--token`: asked for once (when the server first answers 401),
 * kept in sessionStorage, sent as `Authorization: Bearer` on every API call. A 401 forgets it and
 * asks again.
 */
export class TokenStore {
  #state: TokenState = 'none-needed';
  readonly #listeners = new Set<() => void>();

  constructor(private readonly storage: TokenStorage = session()) {}

  /** The token to send, or null when none was given. */
  get token(): string | null {
    return this.storage.getItem(TOKEN_KEY) ?? null;
  }

  /** `needed` once a call was refused without a token, `refused` once the server refused the one given. */
  get state(): TokenState {
    return this.#state;
  }

  /** The request headers that carry the token (none without one). */
  headers(): Record<string, string> {
    const token = this.token;
    return token === null ? {} : { authorization: `Bearer ${token}` };
  }

  /** Keeps the token the user gave and lets the pages load again. */
  set(token: string): void {
    this.storage.setItem(TOKEN_KEY, token.trim());
    this.#change('none-needed');
  }

  /** The server answered 401: forget the token, ask for one. */
  refused(): void {
    const next = this.token === null ? 'needed' : 'refused';
    this.storage.removeItem(TOKEN_KEY);
    if (this.#state === 'none-needed') this.#change(next);
  }

  /** Calls `listener` whenever {@link state} changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #change(state: TokenState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}

/** The part of the Storage API the token needs. */
export type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function session(): TokenStorage {
  try {
    if (globalThis.sessionStorage !== undefined) return globalThis.sessionStorage;
  } catch {
    // Storage denied (a sandboxed frame): kept in memory below.
  }
  const memory = new Map<string, string>();
  return {
    getItem: (key) => memory.get(key) ?? null,
    setItem: (key, value) => void memory.set(key, value),
    removeItem: (key) => void memory.delete(key),
  };
}

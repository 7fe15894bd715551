import { useState } from 'react';
import type { TokenStore } from '../data/auth.ts';

/** Asks for the server's API token (`codecrew serve --token`); it is kept for this browser tab only. */
export function TokenForm({ auth }: { auth: TokenStore }) {
  const [token, setToken] = useState('');
  return (
    <form
      className="token-form"
      aria-labelledby="token-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (token.trim() !== '') auth.set(token);
      }}
    >
      <h1 id="token-title">This server needs a token</h1>
      <p>
        It was started with <code>--token</code>: every API call must carry it. The viewer keeps it for this tab only
        (sessionStorage) and sends it as <code>Authorization: Bearer</code>.
      </p>
      {auth.state === 'refused' && (
        <p role="alert" className="error">
          The server refused that token.
        </p>
      )}
      <label htmlFor="api-token">Token</label>
      <input
        id="api-token"
        type="password"
        autoComplete="current-password"
        value={token}
        onChange={(event) => setToken(event.target.value)}
        required
      />
      <button type="submit">Use token</button>
    </form>
  );
}

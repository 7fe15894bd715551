import { fileURLToPath } from 'node:url';

/** URL schemes a task's `repo.url` may use; git's other transports (`ext::`, remote helpers) are refused. */
export const REPO_URL_SCHEMES = ['https', 'http', 'ssh', 'git', 'file'] as const;

/** A repository URL checked and put in canonical form. */
export interface RepoUrl {
  /** The URL as git is given it (credentials included, dot segments removed, host lower case). */
  url: string;
  /** The URL without its credentials: what events, logs, reports and responses show, and what the cache is keyed on. */
  redacted: string;
  /** The URL with no credentials at all: what the clone cache is keyed on (the same repository whatever the token). */
  identity: string;
  /** For a `file://` URL, the local path it names; null for a remote URL. */
  filePath: string | null;
}

/** scp-like syntax git accepts for ssh: `[user@]host:path`, where host has no slash. */
const SCP_LIKE = /^(?:([^@/\s:]+)@)?([A-Za-z0-9][A-Za-z0-9.-]*):(.+)$/;
const SCHEME_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Checks a repository URL and returns it in canonical form, or a reason it is refused:
 * `https`, `http`, `ssh`, `git` and `file` URLs (`scheme://...`), or scp-like `user@host:path`.
 * Plain paths belong in `repo.path`. Never returns the URL's credentials in a reason.
 */
export function parseRepoUrl(text: string): RepoUrl | { problem: string } {
  const trimmed = text.trim();
  if (trimmed !== text || /\s/.test(text)) return { problem: 'contains white space' };
  const scheme = SCHEME_URL.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return parseScpLike(text);
  if (!(REPO_URL_SCHEMES as readonly string[]).includes(scheme)) {
    return { problem: `uses the scheme ${scheme}://; use one of ${REPO_URL_SCHEMES.map((s) => `${s}://`).join(', ')}` };
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (parsed.hash !== '') return { problem: 'has a #fragment; name the branch in repo.ref instead' };
  if (scheme === 'file') {
    if (parsed.host !== '' && parsed.host !== 'localhost') return { problem: 'names a file:// host; use file:///path' };
    if (parsed.username !== '' || parsed.password !== '') return { problem: 'has credentials in a file:// URL' };
    return { url: parsed.href, redacted: parsed.href, identity: parsed.href, filePath: fileURLToPath(parsed) };
  }
  if (parsed.hostname === '') return { problem: 'has no host' };
  const url = parsed.href;
  parsed.username = '';
  parsed.password = '';
  const identity = parsed.href;
  return { url, redacted: url === identity ? url : identity.replace('://', '://***@'), identity, filePath: null };
}

function parseScpLike(text: string): RepoUrl | { problem: string } {
  const match = SCP_LIKE.exec(text);
  if (match === null || text.startsWith('-')) {
    return {
      problem: `is not a URL; use https://, ssh://, git://, file:// or user@host:path (a local path goes in repo.path)`,
    };
  }
  const path = match[3] ?? '';
  if (path.split('/').includes('..')) return { problem: 'has a .. segment in its path' };
  // The user of the ssh form names an account (git@host), not a secret: it is kept.
  return { url: text, redacted: text, identity: text, filePath: null };
}

/** Problem text of {@link parseRepoUrl}, or null when the URL is accepted. */
export function repoUrlProblem(text: string): string | null {
  const result = parseRepoUrl(text);
  return 'problem' in result ? result.problem : null;
}

/**
 * `text` (a message, git's stderr) with the credentials of every `scheme://user:secret@` URL in it
 * replaced by `***`, so that it can be logged or returned.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s'"]+@/g, '$1***@');
}

import { CodecrewError, parseRepoUrl } from '@codecrew/core';

/** Which repository URLs a server takes (`server.allowedRepoRoots`, `server.allowedRepoUrls`). */
export interface RepoUrlPolicy {
  allowedRepoRoots?: readonly string[] | undefined;
  allowedRepoUrls?: readonly string[] | undefined;
}

/** Whether `url` is `prefix` or lies below it (a prefix matches whole path segments: `.../org` never matches `.../org-x`). */
function underPrefix(url: string, prefix: string): boolean {
  const parsed = parseRepoUrl(prefix);
  const base = 'problem' in parsed ? prefix : parsed.identity;
  if (url === base) return true;
  const boundary = base.endsWith('/') || base.endsWith(':') ? base : `${base}/`;
  return url.startsWith(boundary);
}

/**
 * REPO_NOT_ALLOWED unless a remote `repo.url` is one this server takes: with neither setting, any;
 * with `server.allowedRepoUrls`, one that starts with one of its prefixes (compared without
 * credentials, after the URL is put in canonical form); with only `server.allowedRepoRoots`, none
 * (a server kept to local directories fetches nothing from the network). A `file://` URL is a
 * local path: the caller checks it against `server.allowedRepoRoots`.
 */
export function checkRemoteRepoUrl(url: string, policy: RepoUrlPolicy): void {
  const parsed = parseRepoUrl(url);
  if ('problem' in parsed || parsed.filePath !== null) return;
  const prefixes = policy.allowedRepoUrls ?? [];
  const restricted = prefixes.length > 0 || (policy.allowedRepoRoots ?? []).length > 0;
  if (!restricted || prefixes.some((prefix) => underPrefix(parsed.identity, prefix))) return;
  const why =
    prefixes.length > 0
      ? 'does not start with any prefix of server.allowedRepoUrls'
      : 'is a remote URL, and this server takes local repositories only (server.allowedRepoRoots is set, server.allowedRepoUrls is not)';
  throw new CodecrewError('REPO_NOT_ALLOWED', `spec.repo.url ${parsed.redacted} ${why}`, {
    details: { issues: [{ path: 'spec.repo.url', message: why }] },
  });
}

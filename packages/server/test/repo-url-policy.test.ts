import { describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import { checkRemoteRepoUrl, type RepoUrlPolicy } from '../src/tasks/repo-url-policy.ts';

function verdict(url: string, policy: RepoUrlPolicy): string {
  try {
    checkRemoteRepoUrl(url, policy);
    return 'allowed';
  } catch (error) {
    if (!(error instanceof CodecrewError)) throw error;
    expect(error.code).toBe('REPO_NOT_ALLOWED');
    expect(error.message).not.toContain('t0ken');
    return error.message;
  }
}

describe('which remote repo.url a server takes', () => {
  it('takes any URL when neither allowedRepoRoots nor allowedRepoUrls is set', () => {
    expect(verdict('https://example.com/any/repo.git', {})).toBe('allowed');
  });

  it('takes a URL under a prefix of allowedRepoUrls, whole segments only, credentials aside', () => {
    const policy = { allowedRepoUrls: ['https://git.example.com/team', 'git@git.example.com:team/'] };
    expect(verdict('https://git.example.com/team/app.git', policy)).toBe('allowed');
    expect(verdict('https://bot:t0ken@GIT.example.com/team/app.git', policy)).toBe('allowed');
    expect(verdict('git@git.example.com:team/app.git', policy)).toBe('allowed');
    expect(verdict('https://git.example.com/team-other/app.git', policy)).toContain('server.allowedRepoUrls');
    expect(verdict('https://git.example.com/team/../other/app.git', policy)).toContain('server.allowedRepoUrls');
    expect(verdict('https://bot:t0ken@evil.example.com/team/app.git', policy)).toContain(
      'https://***@evil.example.com/team/app.git',
    );
  });

  it('takes no remote URL on a server kept to allowedRepoRoots without allowedRepoUrls', () => {
    expect(verdict('https://example.com/repo.git', { allowedRepoRoots: ['/srv/repos'] })).toContain(
      'local repositories only',
    );
  });

  it('leaves file:// URLs to the allowedRepoRoots check of local paths', () => {
    expect(verdict('file:///srv/repos/app', { allowedRepoRoots: ['/srv/repos'] })).toBe('allowed');
  });
});

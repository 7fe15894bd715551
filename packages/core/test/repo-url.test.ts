import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec, parseRepoUrl, parseYamlWith, redactUrlCredentials } from '../src/index.ts';

function specWithRepo(repo: string): string {
  return `apiVersion: codecrew/v1
kind: Task
metadata: { name: from-url }
spec:
  repo: ${repo}
  prompt: Do it.
`;
}

function issuesOf(repo: string): Array<{ path: string; message: string }> {
  try {
    parseYamlWith(specWithRepo(repo), TaskSpec, 'task.yaml', 'SPEC_INVALID');
  } catch (error) {
    if (error instanceof CodecrewError) return error.details?.['issues'] as Array<{ path: string; message: string }>;
    throw error;
  }
  return [];
}

describe('repo.url in a task spec', () => {
  it('takes a URL with an optional ref instead of a path', () => {
    const spec = parseYamlWith(
      specWithRepo('{ url: "https://example.com/org/repo.git", ref: main }'),
      TaskSpec,
      'task.yaml',
      'SPEC_INVALID',
    );
    expect(spec.spec.repo).toEqual({ url: 'https://example.com/org/repo.git', ref: 'main' });
    expect(issuesOf('{ path: ../repo }')).toEqual([]);
  });

  it('takes exactly one of path and url', () => {
    const both = issuesOf('{ path: ../repo, url: "file:///srv/repo" }');
    expect(both.map((issue) => issue.path)).toEqual(['spec.repo.url']);
    expect(both[0]?.message).toContain('exactly one of repo.path');
    const neither = issuesOf('{ ref: main }');
    expect(neither.map((issue) => issue.path)).toEqual(['spec.repo.path']);
  });

  it('refuses what is not a URL git should be given', () => {
    expect(issuesOf('{ url: "../repo" }')[0]?.message).toContain('a local path goes in repo.path');
    expect(issuesOf('{ url: "ext::sh -c touch% /tmp/x" }')[0]?.message).toContain('not a repository URL');
    expect(issuesOf('{ url: "-uhelp@host:x" }')[0]?.message).toContain('is not a URL');
    expect(issuesOf('{ url: "ftp://example.com/repo.git" }')[0]?.message).toContain('uses the scheme ftp://');
    expect(issuesOf('{ url: "https://example.com/repo.git#main" }')[0]?.message).toContain('#fragment');
    expect(issuesOf('{ url: "git@example.com:org/../other.git" }')[0]?.message).toContain('.. segment');
  });
});

describe('parseRepoUrl', () => {
  it('puts a URL in canonical form and removes its credentials from what is shown', () => {
    expect(parseRepoUrl('https://user:tok@EXAMPLE.com/org/x/../repo.git')).toEqual({
      url: 'https://user:tok@example.com/org/repo.git',
      redacted: 'https://***@example.com/org/repo.git',
      identity: 'https://example.com/org/repo.git',
      filePath: null,
    });
    expect(parseRepoUrl('file:///srv/repos/a')).toEqual({
      url: 'file:///srv/repos/a',
      redacted: 'file:///srv/repos/a',
      identity: 'file:///srv/repos/a',
      filePath: '/srv/repos/a',
    });
    expect(parseRepoUrl('git@github.com:org/repo.git')).toMatchObject({
      url: 'git@github.com:org/repo.git',
      filePath: null,
    });
  });

  it('redacts the credentials of every URL in a text', () => {
    expect(redactUrlCredentials("fatal: unable to access 'https://u:p4ss@host/x/': 403")).toBe(
      "fatal: unable to access 'https://***@host/x/': 403",
    );
  });
});

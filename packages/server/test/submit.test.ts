import { describe, expect, it } from 'vitest';
import { isCodecrewError } from '@codecrew/core';
import { bearerCheck, isLoopback } from '../src/http/auth.ts';
import { parseTaskBody, repoLabelOfSpec, withAbsolutePaths, withoutRepoCredentials } from '../src/tasks/submit.ts';

const YAML = `apiVersion: codecrew/v1
kind: Task
metadata: { name: demo }
spec:
  repo: { path: ../repo }
  prompt: Do it.
  models: { default: "scripted:s.yaml", coder: { name: "scripted:c.yaml", temperature: 0 }, reviewer: gpt-4.1 }
  output: { patch: out/x.patch, dir: /abs/out }
`;

function errorOf(body: string, format: 'yaml' | 'json') {
  try {
    parseTaskBody(body, format);
  } catch (error) {
    if (isCodecrewError(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('reading a submitted task', () => {
  it('reads YAML and JSON into the same spec', () => {
    const fromYaml = parseTaskBody(YAML, 'yaml');
    expect(parseTaskBody(JSON.stringify(fromYaml), 'json')).toEqual(fromYaml);
  });

  it('lists every problem with its path, and line and column for YAML', () => {
    const error = errorOf(YAML.replace('prompt: Do it.', 'prompt: ""\n  extra: 1'), 'yaml');
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.details?.['issues']).toEqual([
      { line: 6, column: 11, path: 'spec.prompt', message: 'a non-empty prompt' },
      { line: 7, column: 3, path: 'spec', message: 'unknown field(s) "extra"' },
    ]);
    const json = errorOf('{"apiVersion": "codecrew/v1", "kind": "Task"}', 'json');
    expect((json.details?.['issues'] as Array<{ path: string }>).map((i) => i.path)).toEqual(['metadata', 'spec']);
    expect(errorOf('[1,', 'json').code).toBe('REQUEST_INVALID');
  });

  it('makes every path absolute against the directory it is read from', () => {
    const spec = withAbsolutePaths(parseTaskBody(YAML, 'yaml'), '/srv/tasks');
    expect(spec.spec.repo.path).toBe('/srv/repo');
    expect(spec.spec.output).toEqual({ patch: '/srv/tasks/out/x.patch', dir: '/abs/out' });
    expect(spec.spec.models).toEqual({
      default: 'scripted:/srv/tasks/s.yaml',
      coder: { name: 'scripted:/srv/tasks/c.yaml', temperature: 0 },
      reviewer: 'gpt-4.1',
    });
  });
});

describe('a submitted repo.url', () => {
  const spec = parseTaskBody(
    YAML.replace('repo: { path: ../repo }', 'repo: { url: "https://bot:t0k@example.com/org/app.git", ref: main }'),
    'yaml',
  );

  it('keeps no credentials in the spec the store keeps, nor in the repository the API shows', () => {
    const kept = withoutRepoCredentials(withAbsolutePaths(spec, '/srv/tasks'));
    expect(kept.spec.repo).toEqual({ url: 'https://***@example.com/org/app.git', ref: 'main' });
    expect(JSON.stringify(kept)).not.toContain('t0k');
    expect(repoLabelOfSpec(spec)).toBe('https://***@example.com/org/app.git');
  });

  it('leaves repo.path specs as they are', () => {
    const local = withAbsolutePaths(parseTaskBody(YAML, 'yaml'), '/srv/tasks');
    expect(withoutRepoCredentials(local)).toBe(local);
    expect(repoLabelOfSpec(local)).toBe('/srv/repo');
  });
});

describe('the bearer token', () => {
  it('accepts exactly Bearer <token>', () => {
    const check = bearerCheck('s3cret');
    expect(check('Bearer s3cret')).toBe(true);
    expect(check('bearer s3cret')).toBe(true);
    for (const header of [
      undefined,
      '',
      's3cret',
      'Bearer',
      'Bearer s3cre',
      'Bearer s3cret2',
      'Basic s3cret',
      'Bearer  s3cret x',
    ])
      expect(check(header)).toBe(false);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});

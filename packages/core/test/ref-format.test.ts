import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec, parseYamlWith } from '../src/index.ts';
import { MAX_BRANCH_LEAF_BYTES, MAX_REF_COMPONENT_BYTES, branchNameProblem } from '../src/ref-format.ts';

/** What `git check-ref-format --branch` says about `name`, run in a fresh repository. */
function gitAccepts(repo: string, name: string): boolean {
  return spawnSync('git', ['check-ref-format', '--branch', name], { cwd: repo, stdio: 'ignore' }).status === 0;
}

/** A small deterministic generator (mulberry32), so that the generated names are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('branch names, checked as git checks them', () => {
  it.each([
    ['codecrew/textkit-slug-title', null],
    ['feature/a.b_c-d', null],
    ['a./b', null],
    ['a.lock.b', null],
    ['@', null],
    ['x/@', null],
    ['é/ü', null],
    ['', 'must not be empty'],
    ['-x', "must not start with '-'"],
    ['HEAD', "must not be 'HEAD'"],
    ['a b', 'must not contain a space'],
    ['a\tb', 'must not contain the control character U+0009'],
    ['a\u007fb', 'must not contain the control character U+007F'],
    ['a~1', "must not contain '~'"],
    ['a^', "must not contain '^'"],
    ['a:b', "must not contain ':'"],
    ['a?', "must not contain '?'"],
    ['a*', "must not contain '*'"],
    ['a[b', "must not contain '['"],
    ['a\\b', "must not contain '\\'"],
    ['a..b', "must not contain '..'"],
    ['a@{b', "must not contain '@{'"],
    ['a.', "must not end with '.'"],
    ['/a', "must not start or end with '/' or contain '//'"],
    ['a/', "must not start or end with '/' or contain '//'"],
    ['a//b', "must not start or end with '/' or contain '//'"],
    ['a/.b', "has a part starting with '.' ('.b')"],
    ['a.lock/b', "has a part ending with '.lock' ('a.lock')"],
  ])('%j: %s', (name, problem) => {
    expect(branchNameProblem(name)).toBe(problem);
  });

  it('limits each part to a file name, leaving room in the last for .lock and -N', () => {
    expect(branchNameProblem(`${'a'.repeat(MAX_REF_COMPONENT_BYTES)}/b`)).toBeNull();
    expect(branchNameProblem(`${'a'.repeat(MAX_REF_COMPONENT_BYTES + 1)}/b`)).toBe(
      "has a part of 256 bytes between '/'s; git keeps each part as a file name, so at most 255 bytes are allowed",
    );
    expect(branchNameProblem(`codecrew/${'a'.repeat(MAX_BRANCH_LEAF_BYTES)}`)).toBeNull();
    expect(branchNameProblem(`codecrew/${'a'.repeat(MAX_BRANCH_LEAF_BYTES + 1)}`)).toBe(
      "has a part of 247 bytes between '/'s; git keeps each part as a file name, so at most 246 bytes are allowed",
    );
    // Bytes, not characters: é is two bytes in UTF-8.
    expect(branchNameProblem(`codecrew/${'é'.repeat(124)}`)).toBe(
      "has a part of 248 bytes between '/'s; git keeps each part as a file name, so at most 246 bytes are allowed",
    );
    expect(branchNameProblem(Array.from({ length: 6 }, () => 'a'.repeat(200)).join('/'))).toBe(
      'is 1205 bytes long; at most 1024 are allowed',
    );
  });

  it('agrees with git check-ref-format --branch on generated names', () => {
    const repo = mkdtempSync(join(tmpdir(), 'codecrew-ref-format-'));
    execFileSync('git', ['init', '-q', repo]);
    const next = random(20);
    const alphabet = [
      'a',
      'b',
      'Z',
      '0',
      '-',
      '_',
      '.',
      '/',
      '@',
      '{',
      '}',
      ' ',
      '~',
      '^',
      ':',
      '?',
      '*',
      '[',
      ']',
      '\\',
      '\t',
      'é',
      '.lock',
      'HEAD',
    ];
    const names = new Set<string>();
    while (names.size < 300) {
      const length = 1 + Math.floor(next() * 8);
      let name = '';
      for (let i = 0; i < length; i += 1) name += alphabet[Math.floor(next() * alphabet.length)];
      names.add(name);
    }
    const disagreements = [...names].filter((name) => (branchNameProblem(name) === null) !== gitAccepts(repo, name));
    expect(disagreements).toEqual([]);
  });
});

describe('output.branch in a task spec', () => {
  const spec = (branch: string) =>
    `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: . }\n  prompt: go\n  output: { branch: ${branch} }\n`;

  it('refuses a branch git cannot create as SPEC_INVALID at the field, without echoing the name', () => {
    let caught: unknown;
    try {
      parseYamlWith(spec(`codecrew/${'a'.repeat(100_000)}`), TaskSpec, 'task.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodecrewError);
    expect((caught as CodecrewError).code).toBe('SPEC_INVALID');
    expect((caught as CodecrewError).message).toBe(
      'task.yaml is not a valid task spec:\n' +
        "  task.yaml:7:21  spec.output.branch: not a branch name git can create: it has a part of 100000 bytes between '/'s; git keeps each part as a file name, so at most 246 bytes are allowed",
    );
  });

  it('accepts a valid branch', () => {
    expect(parseYamlWith(spec('codecrew/fix-it'), TaskSpec, 'task.yaml').spec.output?.branch).toBe('codecrew/fix-it');
  });

  it('gives every allowed metadata.name a valid default branch (codecrew/<name>)', () => {
    const next = random(7);
    const edge = ['a', '0', 'a-b', 'a--b', `a${'-'.repeat(61)}b`, 'z'.repeat(63), 'lock', 'head'];
    const generated = Array.from({ length: 200 }, () => {
      const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-';
      const length = 1 + Math.floor(next() * 63);
      let name = '';
      for (let i = 0; i < length; i += 1) name += chars[Math.floor(next() * chars.length)];
      return name;
    });
    const allowed = [...edge, ...generated].filter(
      (name) => TaskSpec.shape.metadata.shape.name.safeParse(name).success,
    );
    expect(allowed.length).toBeGreaterThan(100);
    expect(allowed.filter((name) => branchNameProblem(`codecrew/${name}`) !== null)).toEqual([]);
  });
});

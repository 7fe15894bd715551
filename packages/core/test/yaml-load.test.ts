import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CodecrewError, TaskSpec, parseYaml, parseYamlWith } from '../src/index.ts';
import { MAX_YAML_ALIASES } from '../src/yaml-load.ts';

const VALID = `apiVersion: codecrew/v1
kind: Task
metadata: { name: x }
spec:
  repo: { path: . }
  prompt: go
`;

/** Nine levels of nine aliases each: 9^9 values once expanded. */
function billionLaughs(indent = ''): string {
  const lines = [`${indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let level = 1; level < 9; level += 1) {
    lines.push(
      `${indent}l${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function errorOf(fn: () => unknown): CodecrewError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodecrewError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('YAML aliases', () => {
  it('refuses a billion-laughs file as YAML_INVALID at the alias that goes over the limit', () => {
    const error = errorOf(() => parseYamlWith(billionLaughs(), TaskSpec, 'bomb.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toBe(
      'bomb.yaml is not valid YAML:\n' +
        '  bomb.yaml:6:10  (yaml): with its aliases expanded the file holds more than 100000 values; write the values out or repeat them less',
    );
  });

  it('refuses the same bomb inside an otherwise valid task spec', () => {
    const text = VALID.replace('metadata: { name: x }', `metadata:\n  name: x\n  labels:\n${billionLaughs('    ')}`);
    const error = errorOf(() => parseYamlWith(text, TaskSpec, 'task.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toMatch(
      /^task\.yaml is not valid YAML:\n {2}task\.yaml:\d+:\d+ {2}\(yaml\): with its aliases expanded/,
    );
  });

  it('refuses an alias without an anchor, at the alias', () => {
    const error = errorOf(() => parseYamlWith(`${VALID}  models: *nope\n`, TaskSpec, 'task.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toBe(
      'task.yaml is not valid YAML:\n  task.yaml:7:11  (yaml): alias *nope refers to no anchor before it (write &nope on a value above it)',
    );
    expect(error.details).toEqual({
      issues: [
        {
          file: 'task.yaml',
          line: 7,
          column: 11,
          path: '(yaml)',
          message: 'alias *nope refers to no anchor before it (write &nope on a value above it)',
        },
      ],
    });
  });

  it('refuses an alias used before its anchor', () => {
    const error = errorOf(() => parseYaml('a: *x\nb: &x 1\n', 'f.yaml'));
    expect(error.message).toBe(
      'f.yaml is not valid YAML:\n  f.yaml:1:4  (yaml): alias *x refers to no anchor before it (write &x on a value above it)',
    );
  });

  it('refuses an alias inside the value it names', () => {
    const error = errorOf(() => parseYaml('a: &a [1, [*a]]\n', 'f.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toBe(
      'f.yaml is not valid YAML:\n  f.yaml:1:12  (yaml): alias *a refers to a value that contains it; recursive values are not supported',
    );
  });

  it(`refuses more than ${MAX_YAML_ALIASES} aliases`, () => {
    const list = (n: number) => `a: &a 1\nb: [${Array(n).fill('*a').join(', ')}]\n`;
    expect((parseYaml(list(MAX_YAML_ALIASES), 'f.yaml') as { b: number[] }).b).toHaveLength(MAX_YAML_ALIASES);
    const error = errorOf(() => parseYaml(list(MAX_YAML_ALIASES + 1), 'f.yaml'));
    expect(error.message).toBe(
      `f.yaml is not valid YAML:\n  f.yaml:2:4005  (yaml): more than ${MAX_YAML_ALIASES} aliases (*name) in one file; write the values out`,
    );
  });

  it('keeps ordinary anchors and aliases working', () => {
    const text = `${VALID}  models: &m { default: gpt-4.1-mini }\n  test: &t { command: npm test }\n`;
    const spec = parseYamlWith(text, TaskSpec, 'task.yaml');
    expect(spec.spec.models).toEqual({ default: 'gpt-4.1-mini' });
    expect(parseYaml('base: &b { cpus: 1, memory: 2g }\nx: [*b, *b]\n', 'f.yaml')).toEqual({
      base: { cpus: 1, memory: '2g' },
      x: [
        { cpus: 1, memory: '2g' },
        { cpus: 1, memory: '2g' },
      ],
    });
  });
});

describe('other hostile YAML', () => {
  it('refuses several documents in one file, at the second', () => {
    const error = errorOf(() => parseYamlWith(`${VALID}---\n${VALID}`, TaskSpec, 'task.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toBe(
      'task.yaml is not valid YAML:\n  task.yaml:7:1  (yaml): the file holds more than one YAML document (a second "---"); keep one',
    );
  });

  it('refuses values nested too deeply, with a position', () => {
    const error = errorOf(() => parseYaml(`a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 'f.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toMatch(
      /^f\.yaml is not valid YAML:\n {2}f\.yaml:1:\d+ {2}\(yaml\): values are nested too deeply$/,
    );
  });

  it('lists the first 50 problems and counts the rest', () => {
    const labels = Array.from({ length: 120 }, (_, i) => `    k${i}: [${i}]`).join('\n');
    const text = VALID.replace('metadata: { name: x }', `metadata:\n  name: x\n  labels:\n${labels}`);
    const error = errorOf(() => parseYamlWith(text, TaskSpec, 'task.yaml'));
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(1 + 50 + 1);
    expect(lines[1]).toBe('  task.yaml:6:9  metadata.labels.k0: Invalid input: expected string, received array');
    expect(lines.at(-1)).toBe('  ... and 70 more');
  });

  it('reads an empty file as null', () => {
    expect(parseYaml('', 'f.yaml')).toBeNull();
    expect(parseYamlWith('', z.unknown(), 'f.yaml')).toBeNull();
  });
});

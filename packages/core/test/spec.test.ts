import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec, parseYamlWith } from '../src/index.ts';

const VALID = `apiVersion: codecrew/v1
kind: Task
metadata:
  name: add-registration
spec:
  repo: { path: ../my-service, ref: main }
  mode: code
  prompt: |
    Add a user registration endpoint.
  models: { default: gpt-4.1-mini, planner: gpt-4.1 }
  parallelism: 4
  test: { command: npm test }
  sandbox: { cpus: 1, memory: 2g, timeout: 15m }
  budget: { maxTokens: 2000000, maxCostUsd: 5, maxDuration: 30m }
  review: { maxRounds: 2 }
  output: { branch: codecrew/add-registration, patch: out/add.patch }
`;

function errorOf(fn: () => unknown): CodecrewError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodecrewError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('task spec', () => {
  it('accepts the documented example', () => {
    const spec = parseYamlWith(VALID, TaskSpec, 'task.yaml');
    expect(spec.spec.repo).toEqual({ path: '../my-service', ref: 'main' });
    expect(spec.spec.models).toEqual({ default: 'gpt-4.1-mini', planner: 'gpt-4.1' });
    expect(spec.spec.mode).toBe('code');
  });

  it('defaults mode to code', () => {
    const text = VALID.replace('  mode: code\n', '');
    expect(parseYamlWith(text, TaskSpec, 'task.yaml').spec.mode).toBe('code');
  });

  it('locates a wrong value by file, line, column and field path', () => {
    const error = errorOf(() =>
      parseYamlWith(VALID.replace('parallelism: 4', 'parallelism: many'), TaskSpec, 'task.yaml'),
    );
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.details?.issues).toEqual([
      {
        file: 'task.yaml',
        line: 11,
        column: 16,
        path: 'spec.parallelism',
        message: 'Invalid input: expected number, received string',
      },
    ]);
    expect(error.message).toContain('task.yaml:11:16  spec.parallelism');
  });

  it('names unknown fields where they stand', () => {
    const error = errorOf(() =>
      parseYamlWith(VALID.replace('  parallelism: 4', '  paralelism: 4'), TaskSpec, 'task.yaml'),
    );
    expect(error.details?.issues).toEqual([
      { file: 'task.yaml', line: 11, column: 3, path: 'spec', message: 'unknown field(s) "paralelism"' },
    ]);
  });

  it('reports a missing required field at its parent', () => {
    const error = errorOf(() =>
      parseYamlWith(VALID.replace('  prompt: |\n    Add a user registration endpoint.\n', ''), TaskSpec, 't.yaml'),
    );
    const issues = error.details?.issues as Array<{ path: string; line: number; message: string }>;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('spec.prompt');
    expect(issues[0]?.line).toBe(6);
    expect(issues[0]?.message).toMatch(/expected string/);
  });

  it('refuses broken YAML with its position', () => {
    const error = errorOf(() => parseYamlWith('apiVersion: codecrew/v1\nspec: [unclosed\n', TaskSpec, 'bad.yaml'));
    expect(error.code).toBe('YAML_INVALID');
    expect(error.message).toMatch(/^bad\.yaml is not valid YAML:\n {2}bad\.yaml:\d+:\d+/);
  });

  it('checks durations and sizes', () => {
    const error = errorOf(() =>
      parseYamlWith(VALID.replace('maxDuration: 30m', 'maxDuration: soon'), TaskSpec, 't.yaml'),
    );
    expect(error.message).toContain('spec.budget.maxDuration');
  });
});

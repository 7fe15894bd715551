import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec } from '@codecrew/core';
import { detectTestCommand, loadConfig, resolveTask, testCommandFromAgentsMd } from '../src/index.ts';

describe('configuration layers', () => {
  it('reads the defaults, then codecrew.yaml, then the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codecrew-config-'));
    writeFileSync(join(dir, 'codecrew.yaml'), 'models:\n  default: local-model\nsandbox:\n  cpus: 2\n');
    const config = loadConfig({
      cwd: dir,
      env: { NATS_URL: 'nats://127.0.0.1:4999', OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' },
    });
    expect(config.models.default).toBe('local-model');
    expect(config.models.planner).toBe('gpt-4.1');
    expect(config.sandbox.cpus).toBe(2);
    expect(config.sandbox.memory).toBe('2g');
    expect(config.nats.url).toBe('nats://127.0.0.1:4999');
    expect(config.models.endpoint.baseURL).toBe('http://127.0.0.1:8000/v1');
    expect(config.dataDir).toBe(join(dir, '.codecrew'));
  });

  it('points at the line of a bad setting in codecrew.yaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codecrew-config-'));
    writeFileSync(join(dir, 'codecrew.yaml'), 'sandbox:\n  cpus: lots\n');
    let caught: unknown;
    try {
      loadConfig({ cwd: dir, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodecrewError);
    expect((caught as CodecrewError).code).toBe('CONFIG_INVALID');
    expect((caught as CodecrewError).message).toContain(`${join(dir, 'codecrew.yaml')}:2:9  sandbox.cpus`);
  });
});

describe('resolveTask', () => {
  const config = loadConfig({ cwd: tmpdir(), env: {} });
  const spec = TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'demo' },
    spec: {
      repo: { path: '../repo' },
      prompt: 'do it',
      models: { default: 'scripted:s.yaml', reviewer: 'gpt-4.1' },
      sandbox: { memory: '1g' },
    },
  });

  it('fills defaults and resolves paths against the spec', () => {
    const task = resolveTask(spec, config, { specDir: '/work/tasks', taskId: 't1' });
    expect(task.repoPath).toBe('/work/repo');
    expect(task.models.coder).toEqual({ name: 'scripted:/work/tasks/s.yaml' });
    expect(task.models.reviewer).toEqual({
      name: 'gpt-4.1',
      apiKeyEnv: 'OPENAI_API_KEY',
      price: { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
    });
    expect(task.sandbox.memoryBytes).toBe(1024 ** 3);
    expect(task.branch).toBe('codecrew/demo');
    expect(task.parallelism).toBe(4);
    expect(task.outDir).toBe(join(config.dataDir, 'tasks', 't1'));
  });

  it('lets --model override every role', () => {
    const task = resolveTask(spec, config, { specDir: '/work/tasks', modelOverride: 'gpt-4.1-mini' });
    expect(new Set(Object.values(task.models).map((m) => m.name))).toEqual(new Set(['gpt-4.1-mini']));
  });
});

describe('test command detection', () => {
  it('prefers a command named in AGENTS.md', () => {
    expect(testCommandFromAgentsMd('# x\n- Style: `prettier`\n- Run the tests with `node --test`.\n')).toBe(
      'node --test',
    );
    expect(detectTestCommand('Tests: `pytest -q`', ['package.json'])).toEqual({
      command: 'pytest -q',
      source: 'AGENTS.md',
    });
  });

  it('falls back to the files present', () => {
    expect(detectTestCommand('', ['package.json', 'src/a.js'])).toEqual({
      command: 'npm test',
      source: 'package.json',
    });
    expect(detectTestCommand('', ['pkg/test_a.py'])).toEqual({
      command: 'python3 -m unittest discover -v',
      source: 'Python files',
    });
    expect(detectTestCommand('', ['README.md'])).toBeNull();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec } from '@codecrew/core';
import { loadConfig, resolveTask } from '../src/index.ts';

const spec = (models: Record<string, string>) =>
  TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'windows' },
    spec: { repo: { path: '.' }, prompt: 'do it', models },
  });

function configWith(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'codecrew-windows-'));
  writeFileSync(join(dir, 'codecrew.yaml'), yaml);
  return loadConfig({ cwd: dir, env: {} });
}

describe('models.catalog.<model>.contextWindow', () => {
  const config = configWith(
    'models:\n  catalog:\n    qwen3-coder: { contextWindow: 32000 }\n    gpt-4o: { contextWindow: 64000 }\n',
  );

  it('reaches the ModelRef of every role using the model, dated snapshots included', () => {
    const task = resolveTask(spec({ default: 'qwen3-coder', planner: 'gpt-4o-2024-08-06' }), config, {
      specDir: '/work/tasks',
    });
    expect(task.models.coder.contextWindow).toBe(32_000);
    expect(task.models.planner.contextWindow).toBe(64_000);
    expect(task.models.planner.price).toEqual({
      inputPerMillion: 2.5,
      cachedInputPerMillion: 1.25,
      outputPerMillion: 10,
    });
  });

  it('is left out for a model the catalog gives no window (the worker then uses what it knows of the model)', () => {
    const task = resolveTask(spec({ default: 'gpt-4.1-mini' }), config, { specDir: '/work/tasks' });
    expect(task.models.coder.contextWindow).toBeUndefined();
  });

  it('refuses a window too small to hold a prompt', () => {
    let error: unknown;
    try {
      configWith('models:\n  catalog:\n    tiny: { contextWindow: 512 }\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CodecrewError);
    expect((error as CodecrewError).code).toBe('CONFIG_INVALID');
    expect((error as CodecrewError).message).toContain('models.catalog.tiny.contextWindow');
  });
});

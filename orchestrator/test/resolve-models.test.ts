import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecrewError, TaskSpec, type TaskSpecBody } from '@codecrew/core';
import { loadConfig, resolveTask } from '../src/index.ts';

function taskWith(body: Partial<TaskSpecBody>): TaskSpec {
  return TaskSpec.parse({
    apiVersion: 'codecrew/v1',
    kind: 'Task',
    metadata: { name: 'models' },
    spec: { repo: { path: '.' }, prompt: 'do it', ...body },
  });
}

function configWith(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'codecrew-models-'));
  writeFileSync(join(dir, 'codecrew.yaml'), yaml);
  return loadConfig({ cwd: dir, env: {} });
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

describe('per-role models', () => {
  const config = loadConfig({ cwd: tmpdir(), env: {} });

  it('carries each role settings into its ModelRef, with the catalog price of the model', () => {
    const task = resolveTask(
      taskWith({
        models: {
          default: 'gpt-4.1-mini',
          planner: { name: 'o3-2025-04-16', reasoningEffort: 'high', api: 'responses', maxOutputTokens: 20000 },
          coder: { name: 'gpt-4.1', temperature: 0.1, extraBody: { seed: 7 } },
        },
      }),
      config,
      { specDir: '/work/tasks', taskId: 't1' },
    );
    expect(task.models.planner).toEqual({
      name: 'o3-2025-04-16',
      apiKeyEnv: 'OPENAI_API_KEY',
      reasoningEffort: 'high',
      api: 'responses',
      maxOutputTokens: 20000,
      price: { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
    });
    expect(task.models.coder).toEqual({
      name: 'gpt-4.1',
      apiKeyEnv: 'OPENAI_API_KEY',
      temperature: 0.1,
      extraBody: { seed: 7 },
      price: { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
    });
    expect(task.models.reviewer.name).toBe('gpt-4.1-mini');
    expect(task.models.reviewer.temperature).toBeUndefined();
  });

  it('takes settings from the configuration when the task names no model for the role', () => {
    const tuned = configWith('models:\n  coder: { name: gpt-5-mini, reasoningEffort: minimal }\n');
    const task = resolveTask(taskWith({}), tuned, { specDir: '/work/tasks' });
    expect(task.models.coder).toMatchObject({ name: 'gpt-5-mini', reasoningEffort: 'minimal' });
    expect(task.models.planner).toMatchObject({ name: 'gpt-4.1' });
  });

  it('keeps the settings of a scripted model', () => {
    const task = resolveTask(
      taskWith({ models: { default: { name: 'scripted:s.yaml', temperature: 0.5, maxOutputTokens: 99 } } }),
      config,
      { specDir: '/work/tasks' },
    );
    expect(task.models.coder).toEqual({ name: 'scripted:/work/tasks/s.yaml', temperature: 0.5, maxOutputTokens: 99 });
  });

  it('--model replaces a role setting whole', () => {
    const task = resolveTask(taskWith({ models: { coder: { name: 'o3', reasoningEffort: 'high' } } }), config, {
      specDir: '/work/tasks',
      modelOverride: 'gpt-4.1-nano',
    });
    expect(task.models.coder).toEqual({
      name: 'gpt-4.1-nano',
      apiKeyEnv: 'OPENAI_API_KEY',
      price: { inputPerMillion: 0.1, cachedInputPerMillion: 0.025, outputPerMillion: 0.4 },
    });
  });
});

describe('a cost budget needs prices', () => {
  const config = loadConfig({ cwd: tmpdir(), env: {} });

  it('refuses budget.maxCostUsd when a model that runs has no price, naming the setting to add', () => {
    const error = errorOf(() =>
      resolveTask(
        taskWith({ models: { default: 'gpt-4.1', coder: 'qwen3-coder' }, budget: { maxCostUsd: 2 } }),
        config,
        { specDir: '/work/tasks' },
      ),
    );
    expect(error.code).toBe('MODEL_PRICE_UNKNOWN');
    expect(error.message).toContain('"qwen3-coder" (coder)');
    expect(error.message).toContain('models.catalog.qwen3-coder.price');
    expect(error.details).toMatchObject({
      model: 'qwen3-coder',
      roles: ['coder'],
      configKey: 'models.catalog.qwen3-coder.price',
    });
  });

  it('accepts it once the configuration prices the model, and without a cost budget', () => {
    const priced = configWith(
      'models:\n  catalog:\n    qwen3-coder: { price: { inputPerMillion: 0.2, outputPerMillion: 0.8 } }\n',
    );
    const spec = taskWith({ models: { coder: 'qwen3-coder' }, budget: { maxCostUsd: 2 } });
    expect(resolveTask(spec, priced, { specDir: '/work/tasks' }).models.coder.price).toEqual({
      inputPerMillion: 0.2,
      outputPerMillion: 0.8,
    });
    expect(
      resolveTask(taskWith({ models: { coder: 'qwen3-coder' } }), config, { specDir: '/work/tasks' }).models.coder
        .price,
    ).toBeUndefined();
  });

  it('only asks about the roles that call a model, and never about scripted models', () => {
    const testerOnly = taskWith({ models: { default: 'gpt-4.1', tester: 'unpriced' }, budget: { maxCostUsd: 1 } });
    expect(resolveTask(testerOnly, config, { specDir: '/work/tasks' }).models.tester.name).toBe('unpriced');
    const askerInCode = taskWith({ models: { default: 'gpt-4.1', asker: 'unpriced' }, budget: { maxCostUsd: 1 } });
    expect(resolveTask(askerInCode, config, { specDir: '/work/tasks' }).mode).toBe('code');
    const ask = taskWith({ mode: 'ask', models: { asker: 'unpriced' }, budget: { maxCostUsd: 1 } });
    expect(errorOf(() => resolveTask(ask, config, { specDir: '/work/tasks' })).code).toBe('MODEL_PRICE_UNKNOWN');
    const scripted = taskWith({ models: { default: 'scripted:s.yaml' }, budget: { maxCostUsd: 1 } });
    expect(resolveTask(scripted, config, { specDir: '/work/tasks' }).models.coder.price).toBeUndefined();
  });
});

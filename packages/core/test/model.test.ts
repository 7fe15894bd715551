import { describe, expect, it } from 'vitest';
import {
  CodecrewError,
  ModelRef,
  TaskSpec,
  addUsage,
  catalogEntryFor,
  emptyUsage,
  modelChoiceOf,
  parseYamlWith,
  priceFor,
  type ModelCatalog,
} from '../src/index.ts';

const TASK = (models: string) => `apiVersion: codecrew/v1
kind: Task
metadata: { name: tuned }
spec:
  repo: { path: . }
  prompt: do it
  models:
${models}
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

describe('per-role model settings in a task spec', () => {
  it('takes a bare name or a name with settings, per role', () => {
    const spec = parseYamlWith(
      TASK(`    default: gpt-4.1-mini
    planner: { name: o3, reasoningEffort: high, api: responses, maxOutputTokens: 32000 }
    coder:
      name: qwen3-coder
      temperature: 0.2
      strictTools: false
      extraBody: { chat_template_kwargs: { enable_thinking: false } }`),
      TaskSpec,
      'task.yaml',
    );
    expect(spec.spec.models).toEqual({
      default: 'gpt-4.1-mini',
      planner: { name: 'o3', reasoningEffort: 'high', api: 'responses', maxOutputTokens: 32000 },
      coder: {
        name: 'qwen3-coder',
        temperature: 0.2,
        strictTools: false,
        extraBody: { chat_template_kwargs: { enable_thinking: false } },
      },
    });
    expect(modelChoiceOf('gpt-4.1')).toEqual({ name: 'gpt-4.1' });
  });

  it('refuses unknown settings and values out of range, with their position', () => {
    const unknown = errorOf(() => parseYamlWith(TASK('    coder: { name: o3, effort: high }'), TaskSpec, 'task.yaml'));
    expect(unknown.code).toBe('SPEC_INVALID');
    expect(unknown.message).toContain('task.yaml:8:');
    expect(unknown.message).toContain('effort');
    const hot = errorOf(() =>
      parseYamlWith(TASK('    coder: { name: gpt-4.1, temperature: 3 }'), TaskSpec, 'task.yaml'),
    );
    expect(hot.message).toContain('spec.models.coder.temperature');
    const api = errorOf(() => parseYamlWith(TASK('    coder: { name: o3, api: assistants }'), TaskSpec, 'task.yaml'));
    expect(api.message).toContain('spec.models.coder: api: Invalid option');
    const nameless = errorOf(() => parseYamlWith(TASK('    coder: { temperature: 0 }'), TaskSpec, 'task.yaml'));
    expect(nameless.message).toContain('spec.models.coder: name: Invalid input');
  });

  it('travels in a job as part of its ModelRef', () => {
    const ref = {
      name: 'o4-mini',
      baseURL: 'https://api.openai.com/v1',
      price: { inputPerMillion: 1.1, cachedInputPerMillion: 0.275, outputPerMillion: 4.4 },
      reasoningEffort: 'low',
      api: 'responses',
      maxOutputTokens: 1000,
      extraBody: { service_tier: 'flex' },
    };
    expect(ModelRef.parse(ref)).toEqual(ref);
    expect(ModelRef.safeParse({ name: 'o4-mini', reasoning: 'low' }).success).toBe(false);
  });
});

describe('model catalog', () => {
  const catalog: ModelCatalog = {
    'gpt-4o': { price: { inputPerMillion: 2.5, cachedInputPerMillion: 1.25, outputPerMillion: 10 } },
    'gpt-4o-2024-05-13': { price: { inputPerMillion: 5, outputPerMillion: 15 } },
    'gpt-4o-mini': { price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
    local: {},
  };

  it('finds a model by its name, and a dated snapshot by the name without its date', () => {
    expect(catalogEntryFor(catalog, 'gpt-4o')?.key).toBe('gpt-4o');
    expect(catalogEntryFor(catalog, 'gpt-4o-2024-08-06')?.key).toBe('gpt-4o');
    expect(catalogEntryFor(catalog, 'gpt-4o-mini-2024-07-18')?.key).toBe('gpt-4o-mini');
    expect(priceFor(catalog, 'gpt-4o-2024-05-13')).toEqual({ inputPerMillion: 5, outputPerMillion: 15 });
  });

  it('matches nothing else: other suffixes, bare prefixes, inherited keys, entries without a price', () => {
    expect(catalogEntryFor(catalog, 'gpt-4o-audio-preview')).toBeUndefined();
    expect(catalogEntryFor(catalog, 'gpt-4o-2024-08')).toBeUndefined();
    expect(catalogEntryFor(catalog, 'gpt-4')).toBeUndefined();
    expect(catalogEntryFor(catalog, 'toString')).toBeUndefined();
    expect(catalogEntryFor(catalog, 'constructor-2024-01-01')).toBeUndefined();
    expect(catalogEntryFor(catalog, 'local')).toEqual({ key: 'local', entry: {} });
    expect(priceFor(catalog, 'local')).toBeUndefined();
  });
});

describe('usage', () => {
  it('sums cached prompt tokens and reasoning tokens with the rest', () => {
    const one = {
      calls: 1,
      promptTokens: 100,
      cachedPromptTokens: 60,
      completionTokens: 50,
      reasoningTokens: 30,
      costUsd: 0.5,
    };
    expect(addUsage(addUsage(emptyUsage(), one), one)).toEqual({
      calls: 2,
      promptTokens: 200,
      cachedPromptTokens: 120,
      completionTokens: 100,
      reasoningTokens: 60,
      costUsd: 1,
    });
  });
});

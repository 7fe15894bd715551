import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index.ts';
import type { Io } from '../src/io.ts';

const TASK = (models: string) =>
  `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: . }\n  prompt: go\n  models: ${models}\n  budget: { maxCostUsd: 3 }\n`;

function tempTask(models: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'codecrew-cli-price-')), 'task.yaml');
  writeFileSync(file, TASK(models));
  return file;
}

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line), color: false };
  return { code: await main(argv, io), out, err };
}

const REFUSAL =
  'codecrew: error [MODEL_PRICE_UNKNOWN]: budget.maxCostUsd needs the price of every model, and codecrew knows none for "my-local-model" (planner, coder, reviewer): set models.catalog.my-local-model.price {inputPerMillion, cachedInputPerMillion, outputPerMillion} in codecrew.yaml, or drop budget.maxCostUsd';

describe('a cost budget on models without a price', () => {
  it('codecrew validate refuses it with exit 2 and the setting to add', async () => {
    expect(await run(['validate', tempTask('{ default: my-local-model }')])).toEqual({
      code: 2,
      out: [],
      err: [REFUSAL],
    });
  });

  it('codecrew run refuses it before anything starts', async () => {
    expect(await run(['run', tempTask('{ default: { name: my-local-model, temperature: 0 } }')])).toEqual({
      code: 2,
      out: [],
      err: [REFUSAL],
    });
  });

  it('a dated snapshot of a priced model passes', async () => {
    const file = tempTask('{ default: gpt-4o-mini-2024-07-18, planner: { name: o3-2025-04-16, api: responses } }');
    const result = await run(['validate', file]);
    expect(result.code).toBe(0);
  });
});

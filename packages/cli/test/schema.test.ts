import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../src/commands/schema.ts';
import { INSTALL_ROOT } from '../src/paths.ts';

describe('published JSON Schemas', () => {
  it('config/schema/ matches the zod schemas (run `npm run schemas` after changing them)', () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const committed = JSON.parse(readFileSync(join(INSTALL_ROOT, 'config/schema', name), 'utf8'));
      expect(committed).toEqual(schema);
    }
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { indexInReadme, resultsIndex } from '../../bench/lib/results-index.ts';
import { ROOT } from '../support/cli.ts';

it('bench/README.md lists every committed result with the commit and date it records', async () => {
  const readme = await readFile(join(ROOT, 'bench/README.md'), 'utf8');
  expect(indexInReadme(readme)).toBe(await resultsIndex(join(ROOT, 'bench/results')));
});

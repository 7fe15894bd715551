import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/support/cli.ts';
import { heavyModulesOf, runTraced } from '../../../test/support/import-trace.ts';

const BIN = join(ROOT, 'packages/cli/bin/codecrew.js');
const DEMO_TASK = join(ROOT, 'examples/tasks/demo.yaml');

describe('codecrew loads only what a command needs', () => {
  it('--help and --version load no NATS, Docker, LangChain, HTTP server or database code', () => {
    for (const args of [['--help'], ['--version']]) {
      const run = runTraced(BIN, args, ROOT);
      expect(run.status, run.stderr).toBe(0);
      expect(run.modules.some((url) => url.endsWith('/packages/cli/src/main.ts'))).toBe(true);
      expect(heavyModulesOf(run)).toEqual([]);
      expect(run.modules.filter((url) => url.includes('/src/commands/'))).toEqual([]);
    }
  });

  it('validate and schema load their own command module and none of the heavy ones', () => {
    const validate = runTraced(BIN, ['validate', DEMO_TASK], ROOT);
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('valid (code task "textkit-slug-title"');
    expect(validate.modules.filter((url) => url.includes('/src/commands/'))).toEqual([
      expect.stringMatching(/\/src\/commands\/validate\.ts$/),
    ]);
    expect(heavyModulesOf(validate)).toEqual([]);

    const schema = runTraced(BIN, ['schema'], ROOT);
    expect(schema.status, schema.stderr).toBe(0);
    expect(Object.keys(JSON.parse(schema.stdout) as object)).toContain('task-spec.schema.json');
    expect(heavyModulesOf(schema)).toEqual([]);
  });

  it('a command that needs them still loads them: sandbox imports the Docker client', () => {
    const run = runTraced(BIN, ['sandbox', '--help'], ROOT);
    expect(run.modules.some((url) => /\/src\/commands\/sandbox\.ts$/.test(url))).toBe(true);
    expect(heavyModulesOf(run).some((url) => /\/dockerode\//.test(url))).toBe(true);
  });
});

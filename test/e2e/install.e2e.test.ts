import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDirFor } from '../support/cli.ts';
import { heavyModulesOf, runTraced, type TracedRun } from '../support/import-trace.ts';
import { buildPackages, installPackages, packPackages } from '../support/install.ts';

const BAD_TASK = `apiVersion: codecrew/v1
kind: Task
metadata: { name: bad }
spec:
  repo: { path: . }
  prompt: go
  parallelism: 0
`;

/** Modules loaded from this repository's checkout rather than from the installed copy. */
function fromCheckout(run: TracedRun): string[] {
  const checkout = pathToFileURL(ROOT).href;
  return run.modules.filter((url) => url.startsWith(`${checkout}/`));
}

describe('codecrew installed from its packed tarballs', () => {
  let bin = '';
  let work = '';

  beforeAll(async () => {
    const dir = await tempDirFor('install e2e');
    buildPackages();
    const tarballs = packPackages(join(dir, 'tarballs'));
    expect(tarballs.map((path) => path.slice(path.lastIndexOf('/') + 1)).sort()).toContain('codecrew-0.1.0.tgz');
    bin = installPackages(tarballs, join(dir, 'install'));
    work = join(dir, 'work');
    writeFileSync(join(dir, 'bad.yaml'), BAD_TASK);
  }, 1_200_000);

  it('answers --help and --version without loading heavy modules or anything from the checkout', () => {
    expect(existsSync(bin)).toBe(true);
    const help = runTraced(bin, ['--help'], join(bin, '../../..'));
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('codecrew validate TASK.yaml');
    expect(heavyModulesOf(help)).toEqual([]);
    expect(fromCheckout(help)).toEqual([]);
    expect(help.modules.some((url) => url.includes('/node_modules/@codecrew/cli/dist/main.js'))).toBe(true);

    const version = runTraced(bin, ['--version'], join(bin, '../../..'));
    expect(version.stdout.trim()).toMatch(/^codecrew \d+\.\d+\.\d+$/);
  });

  it('validates a good task file and refuses a bad one with the field path', () => {
    const installDir = join(bin, '../../..');
    const good = runTraced(
      bin,
      ['validate', join(installDir, 'node_modules/@codecrew/cli/dist/examples/tasks/demo.yaml')],
      installDir,
    );
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain('valid (code task "textkit-slug-title"');
    expect(heavyModulesOf(good)).toEqual([]);
    expect(fromCheckout(good)).toEqual([]);

    const bad = runTraced(bin, ['validate', join(installDir, '../bad.yaml')], installDir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[SPEC_INVALID]');
    expect(bad.stderr).toMatch(/bad\.yaml:7:\d+ +spec\.parallelism: /);
  });

  it('runs the demo end to end from the installed package, in the current directory', () => {
    mkdirSync(work, { recursive: true });
    const run = runTraced(bin, ['demo'], work, 600_000);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Result: approved');
    expect(run.stdout).toMatch(/tests: +node --test → exit 0, 7 passed, 0 failed/);
    expect(run.stdout).toContain(`Demo repository: ${join(work, '.codecrew/demo/.codecrew/demo/textkit')}`);
    expect(run.stdout).not.toContain(ROOT);
    expect(fromCheckout(run)).toEqual([]);
  });
});

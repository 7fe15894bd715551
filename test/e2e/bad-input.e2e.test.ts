import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEXTKIT, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';

describe('bad input is refused before anything runs', () => {
  it('names file, line, column and field of an invalid spec, exit code 2', async () => {
    const dir = await tempDirFor('bad spec');
    const spec = join(dir, 'task.yaml');
    await writeFile(spec, 'apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: . }\n  prompt: go\n  parallelism: lots\n');
    const run = await runCli(['run', spec], { env: { CODECREW_DATA_DIR: join(dir, 'data') } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `codecrew: error [SPEC_INVALID]: ${spec} is not a valid task spec:\n  ${spec}:7:16  spec.parallelism: Invalid input: expected number, received string\n`,
    );
  });

  it('refuses broken YAML with its position, exit code 2', async () => {
    const dir = await tempDirFor('bad yaml');
    const spec = join(dir, 'task.yaml');
    await writeFile(spec, 'apiVersion: codecrew/v1\nspec:\n  prompt: "unterminated\n');
    const run = await runCli(['run', spec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^codecrew: error \\[YAML_INVALID\\]: ${spec} is not valid YAML:\\n  ${spec}:\\d+:\\d+`));
  });

  it('refuses a repository that is not a git repository, exit code 2', async () => {
    const dir = await tempDirFor('bad repo');
    const spec = join(dir, 'task.yaml');
    await writeFile(spec, `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: ${dir} }\n  prompt: go\n`);
    const run = await runCli(['run', spec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[REPO_INVALID]');
  });

  it('refuses an invalid model script with its position, exit code 2', async () => {
    const dir = await tempDirFor('bad script');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const script = join(dir, 'script.yaml');
    await writeFile(script, 'version: 1\nrules:\n  - match: { agent: wizard }\n    replies: []\n');
    const spec = join(dir, 'task.yaml');
    await writeFile(spec, `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: ${repo} }\n  prompt: go\n`);
    const run = await runCli(['run', spec, '--model', `scripted:${script}`], { env: { CODECREW_DATA_DIR: join(dir, 'data') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[SCRIPT_INVALID]');
    expect(run.stderr).toContain(`${script}:3:`);
  });

  it('rejects unknown commands and options with exit code 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const run = await runCli(['run', 'x.yaml', '--frob']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--frob'");
  });
});

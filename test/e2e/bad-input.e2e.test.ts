import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEXTKIT, git, makeGitRepo, runCli, tempDirFor } from '../support/cli.ts';

describe('bad input is refused before anything runs', () => {
  it('names file, line, column and field of an invalid spec, exit code 2', async () => {
    const dir = await tempDirFor('bad spec');
    const spec = join(dir, 'task.yaml');
    await writeFile(
      spec,
      'apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: . }\n  prompt: go\n  parallelism: lots\n',
    );
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
    expect(run.stderr).toMatch(
      new RegExp(`^codecrew: error \\[YAML_INVALID\\]: ${spec} is not valid YAML:\\n  ${spec}:\\d+:\\d+`),
    );
  });

  it('refuses a repository that is not a git repository, exit code 2', async () => {
    const dir = await tempDirFor('bad repo');
    const spec = join(dir, 'task.yaml');
    await writeFile(
      spec,
      `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: ${dir} }\n  prompt: go\n`,
    );
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
    await writeFile(
      spec,
      `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: ${repo} }\n  prompt: go\n`,
    );
    const run = await runCli(['run', spec, '--model', `scripted:${script}`], {
      env: { CODECREW_DATA_DIR: join(dir, 'data') },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[SCRIPT_INVALID]');
    expect(run.stderr).toContain(`${script}:3:`);
  });

  it('refuses YAML alias bombs and undefined aliases in run as YAML_INVALID with a position, exit code 2', async () => {
    const dir = await tempDirFor('alias bomb');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const ladder = ['  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
      .concat(Array.from({ length: 8 }, (_, i) => `  l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`))
      .join('\n');
    const bomb = join(dir, 'bomb.yaml');
    await writeFile(
      bomb,
      `apiVersion: codecrew/v1\nkind: Task\nmetadata:\n  name: x\n  labels:\n${ladder.replace(/^/gm, '  ')}\nspec:\n  repo: { path: ${repo} }\n  prompt: go\n`,
    );
    const nope = join(dir, 'nope.yaml');
    await writeFile(
      nope,
      `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: ${repo} }\n  prompt: go\n  models: *nope\n`,
    );
    const env = { CODECREW_DATA_DIR: join(dir, 'data') };
    const [bombRun, nopeRun] = await Promise.all([runCli(['run', bomb], { env }), runCli(['run', nope], { env })]);
    expect(bombRun.code).toBe(2);
    expect(bombRun.stderr).toBe(
      `codecrew: error [YAML_INVALID]: ${bomb} is not valid YAML:\n  ${bomb}:11:14  (yaml): with its aliases expanded the file holds more than 100000 values; write the values out or repeat them less\n`,
    );
    expect(nopeRun.code).toBe(2);
    expect(nopeRun.stderr).toBe(
      `codecrew: error [YAML_INVALID]: ${nope} is not valid YAML:\n  ${nope}:7:11  (yaml): alias *nope refers to no anchor before it (write &nope on a value above it)\n`,
    );
  });

  it('refuses a branch name git cannot create before the task starts, exit code 2', async () => {
    const dir = await tempDirFor('long branch');
    const repo = await makeGitRepo(TEXTKIT, join(dir, 'repo'));
    const spec = join(dir, 'task.yaml');
    await writeFile(
      spec,
      `apiVersion: codecrew/v1\nkind: Task\nmetadata: { name: x }\nspec:\n  repo: { path: ${repo} }\n  prompt: go\n  output: { branch: codecrew/${'a'.repeat(100_000)} }\n`,
    );
    const run = await runCli(['run', spec], { env: { CODECREW_DATA_DIR: join(dir, 'data') } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `codecrew: error [SPEC_INVALID]: ${spec} is not a valid task spec:\n` +
        `  ${spec}:7:21  spec.output.branch: not a branch name git can create: it has a part of 100000 bytes between '/'s; git keeps each part as a file name, so at most 246 bytes are allowed\n`,
    );
    // Nothing ran: no task folder, no branch.
    expect(existsSync(join(dir, 'data', 'tasks'))).toBe(false);
    expect(git(repo, 'branch', '--format=%(refname:short)')).toBe('main');
  });

  it('rejects unknown commands and options with exit code 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const run = await runCli(['run', 'x.yaml', '--frob']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--frob'");
  });
});

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDirFor } from '../support/cli.ts';
import { FIXTURE_FILES, dockerContainersWith, makeFixtureRepo } from '../support/sandbox-fixture.ts';

const TASK = `sandbox-cli-e2e-${process.pid}`;

describe('codecrew sandbox exec', () => {
  let dir: string;
  let repo: string;
  const exec = (args: string[]) =>
    runCli(['sandbox', 'exec', '--repo', repo, '--task', TASK, ...args], { timeoutMs: 120_000 });

  beforeAll(async () => {
    dir = await tempDirFor('sandbox cli');
    repo = await makeFixtureRepo(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a command on a copy of HEAD and prints its output as it is', async () => {
    const run = await exec(['--', 'cat', 'package.json']);
    expect(run).toEqual({ code: 0, stdout: FIXTURE_FILES['package.json'], stderr: '' });
    expect(dockerContainersWith({ 'codecrew.task': TASK })).toEqual([]);
  });

  it('passes the exit code through and keeps stdout and stderr apart', async () => {
    const run = await exec(['--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(run).toEqual({ code: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs a single argument as a bash command line, as the shell tool does, as uid 1000 with no network', async () => {
    const run = await exec(['--', 'id -u; ls src | wc -l; getent hosts example.com || echo "no dns"']);
    expect(run).toEqual({ code: 0, stdout: '1000\n1\nno dns\n', stderr: '' });
  });

  it('exits 124 when the command times out, and removes the sandbox', async () => {
    const run = await exec(['--timeout', '1s', '--', 'echo started; sleep 30']);
    expect(run).toEqual({
      code: 124,
      stdout: 'started\n',
      stderr: 'codecrew: the command timed out after 1000 ms and was killed (exit 124)\n',
    });
    expect(dockerContainersWith({ 'codecrew.task': TASK })).toEqual([]);
  });

  it('says so when --repo is not a git repository', async () => {
    const run = await runCli(['sandbox', 'exec', '--repo', join(dir, 'tree'), '--', 'true']);
    expect(run.code).toEqual(2);
    expect(run.stderr).toEqual(
      `codecrew: error [REPO_INVALID]: ${join(dir, 'tree')} is not a git repository; give one with --repo PATH (codecrew sandbox exec runs on a git archive of its HEAD)\n`,
    );
  });

  it('needs a command', async () => {
    const run = await runCli(['sandbox', 'exec', '--repo', repo]);
    expect(run.code).toEqual(2);
    expect(run.stderr).toEqual(
      'codecrew: error [USAGE_INVALID]: codecrew sandbox exec needs a command: codecrew sandbox exec [--repo PATH] -- CMD... (see codecrew --help)\n',
    );
  });

  it('leaves no container behind', () => {
    expect(dockerContainersWith({ 'codecrew.task': TASK })).toEqual([]);
  });
});
